package dev.apicache.demo;

import dev.apicache.Bytes;
import dev.apicache.CacheEngine;
import dev.apicache.CachePolicies;
import dev.apicache.CachePolicy;
import dev.apicache.CacheRequest;
import dev.apicache.CacheResponse;
import dev.apicache.store.caffeine.CaffeineStore;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.time.Duration;
import java.util.Deque;

/**
 * {@code ./apicache footprint}: the heap a cached entry takes in the Caffeine store, measured as the
 * live heap after full collections before and after filling the store through the engine, against
 * the bytes of the response itself (its body, and its header names and values). (JOL cannot walk a
 * Caffeine cache: its lambdas are hidden classes.) Run it alone in its JVM.
 */
final class EntryFootprint {
  static final String USAGE =
      "  apicache footprint [--entries 20000] [--body 1024] [--redis-url URL]   (heap per cached entry;\n"
      + "                    the demo's product pages stored as they came and compressed, in Caffeine and Redis)\n";

  /**
   * One measurement.
   *
   * @param entries how many entries were stored
   * @param bodyBytes each entry's body
   * @param headerBytes each entry's stored header names and values
   * @param heapPerEntry the store's heap growth per entry
   */
  record Result(int entries, int bodyBytes, int headerBytes, long heapPerEntry) {
    /** What an entry costs beyond its body and headers. */
    long overheadPerEntry() {
      return heapPerEntry - bodyBytes - headerBytes;
    }
  }

  private EntryFootprint() {}

  /** Fills a Caffeine store with {@code entries} responses of {@code bodyBytes} and measures it. */
  static Result measure(int entries, int bodyBytes) {
    return measure(entries, bodyBytes, false, id -> new byte[bodyBytes]);
  }

  /**
   * Fills a Caffeine store with {@code entries} responses whose bodies {@code bodies} gives per id
   * (all of one size, {@code bodyBytes}), compressed when {@code compress}, and measures it.
   */
  static Result measure(int entries, int bodyBytes, boolean compress, java.util.function.IntFunction<byte[]> bodies) {
    CachePolicy.Builder policy = CachePolicy.forRoute("/api/products/{id:int}").ttl(Duration.ofMinutes(10))
        .staleWhileRevalidate(Duration.ofMinutes(1)).tags("product:{id}");
    CachePolicies policies = CachePolicies.builder().add((compress ? policy.compress() : policy).build()).build();
    String contentType = "application/json";
    CaffeineStore store = CaffeineStore.builder().maximumBytes(8L << 30).build();
    try (CacheEngine engine = CacheEngine.builder(policies, store).build()) {
      // one entry first, so that what every entry shares (the policy's counters, the cache's tables) is in the baseline
      engine.handle(CacheRequest.get("/api/products/0"), r -> body(bodies.apply(0), contentType));
      long before = liveHeap();
      for (int i = 1; i <= entries; i++) {
        int id = i;
        engine.handle(CacheRequest.get("/api/products/" + i), r -> body(bodies.apply(id), contentType));
      }
      store.weightedSize(); // runs Caffeine's pending maintenance, so its buffers are not counted
      long after = liveHeap();
      if (store.estimatedSize() != entries + 1) {
        throw new IllegalStateException("expected " + (entries + 1) + " entries but the store holds "
            + store.estimatedSize());
      }
      int headerBytes = "Content-Type".length() + contentType.length();
      return new Result(entries, bodyBytes, headerBytes, (after - before) / entries);
    }
  }

  /**
   * The demo's product pages stored as they came and compressed: bytes on the wire, heap per
   * entry and entries per MiB in Caffeine, and (with a Redis) memory per entry there.
   */
  private static void compression(int entries, String redisUrl) {
    byte[][] pages = productPages(entries + 1);
    long identity = 0;
    long gzip = 0;
    for (byte[] page : pages) {
      identity += page.length;
      gzip += gzipSize(page);
    }
    int pageBytes = (int) (identity / pages.length);
    int gzBytes = (int) (gzip / pages.length);
    System.out.println();
    System.out.printf("the demo's product pages (%d distinct): %d B each as JSON, %d B gzip-encoded (%.1fx smaller)%n",
        pages.length, pageBytes, gzBytes, (double) identity / gzip);
    System.out.println("stored as   wire B (gzip client)  wire B (other)  heap per entry B  entries per MiB"
        + (redisUrl == null ? "" : "  Redis B per entry"));
    for (boolean compress : new boolean[] {false, true}) {
      Result r = measure(entries, pageBytes, compress, id -> pages[id]);
      String redis = redisUrl == null ? "" : String.format("  %17d", redisPerEntry(redisUrl, entries, compress, pages));
      System.out.printf("%-10s  %20d  %14d  %16d  %15d%s%n", compress ? "gzip" : "as came", compress ? gzBytes
          : pageBytes, pageBytes, r.heapPerEntry(), (1L << 20) / r.heapPerEntry(), redis);
    }
  }

  /** Redis's {@code used_memory} growth per entry, filling {@code entries} pages under a prefix of their own. */
  private static long redisPerEntry(String redisUrl, int entries, boolean compress, byte[][] pages) {
    CachePolicy.Builder policy = CachePolicy.forRoute("/api/products/{id:int}").ttl(Duration.ofMinutes(10))
        .tags("product:{id}");
    CachePolicies policies = CachePolicies.builder().add((compress ? policy.compress() : policy).build()).build();
    String prefix = "footprint:" + java.util.UUID.randomUUID() + ":";
    io.lettuce.core.RedisClient client = io.lettuce.core.RedisClient.create(redisUrl);
    try (io.lettuce.core.api.StatefulRedisConnection<String, String> admin = client.connect();
        CacheEngine engine = CacheEngine.builder(policies, ready(dev.apicache.store.redis.RedisStore.builder(redisUrl)
            .keyPrefix(prefix).commandTimeout(Duration.ofSeconds(2)).build())).build()) {
      engine.handle(CacheRequest.get("/api/products/0"), r -> body(pages[0], "application/json"));
      long before = usedMemory(admin.sync());
      for (int i = 1; i <= entries; i++) {
        int id = i;
        engine.handle(CacheRequest.get("/api/products/" + i), r -> body(pages[id], "application/json"));
      }
      long after = usedMemory(admin.sync());
      RedisKeys.deleteMatching(admin.sync(), prefix + "*");
      return (after - before) / entries;
    } finally {
      client.shutdown();
    }
  }

  private static dev.apicache.store.redis.RedisStore ready(dev.apicache.store.redis.RedisStore store) {
    long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(10);
    while (!store.isConnected()) {
      if (System.nanoTime() > deadline) {
        throw new Main.UsageException("no Redis answers at the --redis-url given");
      }
      java.util.concurrent.locks.LockSupport.parkNanos(10_000_000L); // start-up only: the connection is being made
    }
    return store;
  }

  private static long usedMemory(io.lettuce.core.api.sync.RedisCommands<String, String> redis) {
    for (String line : redis.info("memory").split("\r?\n")) {
      if (line.startsWith("used_memory:")) {
        return Long.parseLong(line.substring("used_memory:".length()).trim());
      }
    }
    throw new IllegalStateException("Redis INFO memory has no used_memory");
  }

  /** The heap in use once full collections have freed all they can. */
  private static long liveHeap() {
    MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
    long used = Long.MAX_VALUE;
    for (int i = 0; i < 4; i++) {
      System.gc(); // explicit full collections are the point here
      used = Math.min(used, memory.getHeapMemoryUsage().getUsed());
    }
    return used;
  }

  private static CacheResponse body(byte[] content, String contentType) {
    return CacheResponse.builder(200).header("Content-Type", contentType).body(Bytes.copyOf(content)).build();
  }

  /** The demo's product-list pages as it serves them: {@code count} distinct pages of 20 products. */
  static byte[][] productPages(int count) {
    MemoryCatalog catalog = new MemoryCatalog(count * ProductCatalog.PAGE_SIZE);
    byte[][] pages = new byte[count][];
    try {
      for (int i = 0; i < count; i++) {
        pages[i] = DemoApi.JSON.writeValueAsBytes(catalog.list(java.util.Optional.empty(), i + 1));
      }
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
    return pages;
  }

  /** The gzip size of {@code body}, as the engine stores and sends it. */
  static int gzipSize(byte[] body) {
    java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
    try (java.util.zip.GZIPOutputStream gz = new java.util.zip.GZIPOutputStream(out, 8192)) {
      gz.write(body);
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
    return out.size();
  }

  static int run(Deque<String> args) {
    int entries = 20_000;
    int body = 1024;
    String redisUrl = null;
    while (!args.isEmpty()) {
      String flag = args.removeFirst();
      switch (flag) {
        case "--entries":
          entries = Main.parseInt(flag, Main.value(flag, args), 1, 10_000_000);
          break;
        case "--body":
          body = Main.parseInt(flag, Main.value(flag, args), 0, 1 << 24);
          break;
        case "--redis-url":
          redisUrl = Main.value(flag, args);
          break;
        default:
          throw new Main.UsageException("unknown option '" + flag + "' for footprint");
      }
    }
    System.out.println("entries  body B  headers B  heap per entry B  beyond body and headers B");
    for (int size : body == 1024 ? new int[] {0, 1024, 16 * 1024} : new int[] {body}) {
      Result r = measure(entries, size);
      System.out.printf("%7d  %6d  %9d  %16d  %25d%n", r.entries(), r.bodyBytes(), r.headerBytes(), r.heapPerEntry(),
          r.overheadPerEntry());
    }
    compression(entries, redisUrl);
    return 0;
  }
}
