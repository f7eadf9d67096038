package dev.apicache.bench;

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
      "  apicache footprint [--entries 20000] [--body 1024]   (heap per cached entry in the Caffeine store)\n";

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
    CachePolicies policies = CachePolicies.builder()
        .add(CachePolicy.forRoute("/api/products/{id:int}").ttl(Duration.ofMinutes(10))
            .staleWhileRevalidate(Duration.ofMinutes(1)).tags("product:{id}").build())
        .build();
    String contentType = "application/json";
    CaffeineStore store = CaffeineStore.builder().maximumBytes(8L << 30).build();
    try (CacheEngine engine = CacheEngine.builder(policies, store).build()) {
      // one entry first, so that what every entry shares (the policy's counters, the cache's tables) is in the baseline
      engine.handle(CacheRequest.get("/api/products/0"), r -> body(bodyBytes, contentType));
      long before = liveHeap();
      for (int i = 1; i <= entries; i++) {
        engine.handle(CacheRequest.get("/api/products/" + i), r -> body(bodyBytes, contentType));
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

  private static CacheResponse body(int size, String contentType) {
    return CacheResponse.builder(200).header("Content-Type", contentType).body(Bytes.copyOf(new byte[size])).build();
  }

  static int run(Deque<String> args) {
    int entries = 20_000;
    int body = 1024;
    while (!args.isEmpty()) {
      String flag = args.removeFirst();
      switch (flag) {
        case "--entries":
          entries = Main.parseInt(flag, Main.value(flag, args), 1, 10_000_000);
          break;
        case "--body":
          body = Main.parseInt(flag, Main.value(flag, args), 0, 1 << 24);
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
    return 0;
  }
}
