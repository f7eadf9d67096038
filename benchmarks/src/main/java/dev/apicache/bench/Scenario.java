package dev.apicache.bench;

import com.fasterxml.jackson.databind.JsonNode;
import dev.apicache.CacheStats;
import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Queue;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;

/**
 * Drives the demo API the way a storefront would and reports what the cache did: concurrent
 * clients on a skewed key mix, a share of them revalidating with {@code If-None-Match}, and a writer
 * that changes hot products every few seconds. It checks every read against the writes that had
 * completed before the read started, and counts reads that returned older data.
 */
final class Scenario {
  /** What a run is asked to do. */
  record Options(Duration duration, int clients, Duration writeInterval, double conditionalShare, int products,
      DemoStore.Kind store, String redisUrl, DemoApi.Framework framework, DemoApi.Layer layer) {

    Options(Duration duration, int clients, Duration writeInterval, double conditionalShare, int products) {
      this(duration, clients, writeInterval, conditionalShare, products, DemoStore.Kind.CAFFEINE,
          "redis://127.0.0.1:6379", DemoApi.Framework.JAVALIN);
    }

    Options(Duration duration, int clients, Duration writeInterval, double conditionalShare, int products,
        DemoStore.Kind store, String redisUrl, DemoApi.Framework framework) {
      this(duration, clients, writeInterval, conditionalShare, products, store, redisUrl, framework,
          DemoApi.Layer.APICACHE);
    }

    Options with(DemoApi.Layer l, DemoStore.Kind s) {
      return new Options(duration, clients, writeInterval, conditionalShare, products, s, redisUrl, framework, l);
    }

    /** How the run is labelled in reports. */
    String label() {
      return layer == DemoApi.Layer.APICACHE ? "apicache/" + store : layer.toString();
    }
  }

  /** What a run measured. */
  record Result(long requests, long originCalls, double hitRate, long notModified, long staleReadsAfterWrite,
      long p50Micros, long p99Micros, long writes, long bytesSavedByNotModified, long errors, String store,
      Optional<Long> redisCommands, String framework, long p999Micros, double requestsPerSecond,
      double observedHitRate, long crossTenantReads, long firstReads, long servedFromCache, long cacheMisses) {

    /**
     * Origin calls beyond the first read of each item: what the cache costs the database once warm
     * (refills after writes and expiries). The first reads depend on the run's length, not the cache.
     */
    long warmOriginCalls() {
      return Math.max(0, originCalls - firstReads);
    }

    /** Origin calls as a share of requests, in percent. */
    double originShare() {
      return requests == 0 ? 0 : 100.0 * originCalls / requests;
    }

    /** {@link #warmOriginCalls()} as a share of requests, in percent. */
    double warmOriginShare() {
      return requests == 0 ? 0 : 100.0 * warmOriginCalls() / requests;
    }

    /**
     * Refills per write once warm: what one write costs the database, a figure that does not depend
     * on how fast the machine drives the run (each write drops the product and the lists it is on).
     */
    double refillsPerWrite() {
      return writes == 0 ? 0 : (double) warmOriginCalls() / writes;
    }

    /**
     * The hit rate once warm, as the clients saw it: HIT, STALE and 304 answers over those and the
     * misses that were not an item's first read.
     */
    double warmHitRate() {
      long warmMisses = Math.max(0, cacheMisses - firstReads);
      return servedFromCache + warmMisses == 0 ? 0 : (double) servedFromCache / (servedFromCache + warmMisses);
    }

    /** Commands sent to Redis per request, when the store uses Redis. */
    Optional<Double> redisCommandsPerRequest() {
      return redisCommands.map(n -> requests == 0 ? 0.0 : (double) n / requests);
    }


    Map<String, Object> toJson() {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("requests", requests);
      m.put("originCalls", originCalls);
      m.put("warmOriginCalls", warmOriginCalls());
      m.put("refillsPerWrite", Math.round(refillsPerWrite() * 100) / 100.0);
      m.put("warmHitRate", Math.round(warmHitRate() * 10_000) / 10_000.0);
      m.put("hitRate", Math.round(hitRate * 10_000) / 10_000.0);
      m.put("notModified", notModified);
      m.put("staleReadsAfterWrite", staleReadsAfterWrite);
      m.put("p50Micros", p50Micros);
      m.put("p99Micros", p99Micros);
      m.put("writes", writes);
      m.put("bytesSavedByNotModified", bytesSavedByNotModified);
      m.put("errors", errors);
      m.put("store", store);
      m.put("framework", framework);
      m.put("p999Micros", p999Micros);
      m.put("requestsPerSecond", Math.round(requestsPerSecond));
      m.put("crossTenantReads", crossTenantReads);
      redisCommandsPerRequest().ifPresent(v -> m.put("redisCommandsPerRequest", Math.round(v * 1000) / 1000.0));
      return m;
    }
  }

  private final Options options;
  private final PrintStream out;
  private final Zipf productRank;
  private final Zipf listRank;
  /** The newest price each product was given by a write that completed: reads may never show less. */
  private final ConcurrentHashMap<Integer, Double> committedPrice = new ConcurrentHashMap<>();
  private final LongAdder requests = new LongAdder();
  private final LongAdder notModified = new LongAdder();
  private final LongAdder staleReads = new LongAdder();
  private final LongAdder errors = new LongAdder();
  private final LongAdder servedFromCache = new LongAdder();
  private final LongAdder missed = new LongAdder();
  private final LongAdder crossTenant = new LongAdder();
  /** Latencies (micros) by second of the run, for the chart. */
  private final ConcurrentHashMap<Integer, Queue<Long>> latencyBySecond =
      new ConcurrentHashMap<>();
  private final Set<Integer> writeSeconds = ConcurrentHashMap.newKeySet();
  private volatile long runStart;
  private final List<double[]> hitRateBySecond = new CopyOnWriteArrayList<>();
  private final AtomicInteger writes = new AtomicInteger();

  Scenario(Options options, PrintStream out) {
    this.options = options;
    this.out = out;
    this.productRank = new Zipf(options.products(), 1.1);
    this.listRank = new Zipf(ProductCatalog.CATEGORIES.size() * 5, 1.0);
  }

  Result run() throws Exception {
    ProductCatalog catalog = new ProductCatalog(options.products(), 1_000_000);
    boolean apicache = options.layer() == DemoApi.Layer.APICACHE;
    DemoStore store = apicache ? DemoStore.openReady(options.store(), options.redisUrl(), Duration.ofSeconds(5)) : null;
    try (DemoApi api = apicache
        ? DemoApi.start(options.framework(), "127.0.0.1", 0, DemoApi.policies(Optional.empty()), catalog, store.store(),
            Optional.empty())
        : DemoApi.startWithout(options.layer(), options.framework(), "127.0.0.1", 0, catalog, options.redisUrl())) {
      URI base = URI.create("http://127.0.0.1:" + api.port());
      HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
          .connectTimeout(Duration.ofSeconds(5)).build();
      out.printf("apicache scenario: %d s, %d clients, %d products (Zipf s=1.1), %.0f%% conditional, a write every %.1f s,"
          + " %s store, %s%n", options.duration().toSeconds(), options.clients(), options.products(),
          options.conditionalShare() * 100, options.writeInterval().toMillis() / 1000.0, options.label(),
          options.framework());
      long start = System.nanoTime();
      runStart = start;
      long deadline = start + options.duration().toNanos();
      ExecutorService pool = Executors.newFixedThreadPool(options.clients() + 1);
      List<Future<long[]>> clients = new ArrayList<>();
      for (int c = 0; c < options.clients(); c++) {
        clients.add(pool.submit(() -> client(http, base, deadline)));
      }
      Future<?> writer = pool.submit(() -> {
        writer(http, base, deadline);
        return null;
      });
      Progress progress = new Progress(api, catalog, start);
      long nextReport = start + TimeUnit.SECONDS.toNanos(1);
      while (System.nanoTime() < deadline) {
        if (System.nanoTime() >= nextReport) {
          progress.second(nextReport);
          nextReport += TimeUnit.SECONDS.toNanos(1);
        }
        TimeUnit.MILLISECONDS.sleep(50); // the progress printer's own pace, not synchronisation
      }
      long[] latencies = new long[0];
      for (Future<long[]> c : clients) {
        long[] l = c.get(60, TimeUnit.SECONDS);
        int old = latencies.length;
        latencies = Arrays.copyOf(latencies, old + l.length);
        System.arraycopy(l, 0, latencies, old, l.length);
      }
      writer.get(60, TimeUnit.SECONDS);
      pool.shutdown();
      progress.second(System.nanoTime()); // the last second, and whatever ran past the deadline
      Arrays.sort(latencies);
      double seconds = (System.nanoTime() - start) / 1e9;
      CacheStats.Counts total = api.engine().stats().total();
      long served = servedFromCache.sum();
      double observed = served + missed.sum() == 0 ? 0 : (double) served / (served + missed.sum());
      return new Result(requests.sum(), catalog.queries(), apicache ? total.hitRate() : observed, notModified.sum(),
          staleReads.sum(), percentile(latencies, 0.50), percentile(latencies, 0.99), writes.get(),
          total.bytesSavedByNotModified(), errors.sum(), options.label(),
          apicache ? store.redisCommands() : api.seedCommands(), options.framework().toString(),
          percentile(latencies, 0.999), requests.sum() / seconds, observed, crossTenant.sum(), catalog.firstReads(),
          served, missed.sum());
    }
  }

  /** One progress line and one chart sample per second of the run, the last one included. */
  private final class Progress {
    private final DemoApi api;
    private final ProductCatalog catalog;
    private final long start;
    private long lastServed;
    private long lastMissed;

    Progress(DemoApi api, ProductCatalog catalog, long start) {
      this.api = api;
      this.catalog = catalog;
      this.start = start;
    }

    void second(long now) {
      long served = servedFromCache.sum();
      long miss = missed.sum();
      long d = (served - lastServed) + (miss - lastMissed);
      hitRateBySecond.add(new double[] {hitRateBySecond.size(), d == 0 ? 0 : (double) (served - lastServed) / d});
      lastServed = served;
      lastMissed = miss;
      CacheStats.Counts t = api.engine().stats().total();
      double elapsed = (now - start) / 1e9;
      out.printf("  %3d s  %,9d requests  %,7d req/s  hit rate %5.1f%%  DB queries %,7d  stale reads %d%n",
          (long) elapsed, requests.sum(), Math.round(requests.sum() / Math.max(1e-3, elapsed)),
          t.hitRate() * 100, catalog.queries(), staleReads.sum());
    }
  }

  private static long percentile(long[] sortedNanos, double q) {
    if (sortedNanos.length == 0) {
      return 0;
    }
    return sortedNanos[(int) Math.min(sortedNanos.length - 1, Math.floor(q * sortedNanos.length))] / 1000;
  }

  /** One client: reads until the deadline; returns its latencies in nanoseconds. */
  private long[] client(HttpClient http, URI base, long deadline) {
    Map<String, String[]> copies = new HashMap<>(); // target -> {etag, body} this client holds
    long[] latencies = new long[1 << 14];
    int n = 0;
    ThreadLocalRandom random = ThreadLocalRandom.current();
    while (System.nanoTime() < deadline) {
      int kind = random.nextInt(100);
      String target;
      Map<String, String> headers = new HashMap<>();
      if (kind < 60) {
        target = "/api/products/" + productRank.next();
      } else if (kind < 85) {
        int r = listRank.next() - 1;
        target = "/api/products?category=" + ProductCatalog.CATEGORIES.get(r % ProductCatalog.CATEGORIES.size())
            + "&page=" + (1 + r / ProductCatalog.CATEGORIES.size());
      } else if (kind < 93) {
        target = "/api/categories";
      } else if (kind < 98) {
        target = "/api/config";
        headers.put("X-Tenant-Id", "tenant-" + random.nextInt(5));
      } else {
        target = "/api/user/profile";
        headers.put("X-User", "user-" + random.nextInt(100));
      }
      String copyKey = target + headers;
      String[] copy = copies.get(copyKey);
      if (copy != null && random.nextDouble() < options.conditionalShare()) {
        headers.put("If-None-Match", copy[0]);
      }
      Map<Integer, Double> mustSee = Map.copyOf(committedPrice); // writes completed before this read starts
      HttpRequest.Builder request = HttpRequest.newBuilder(base.resolve(target)).timeout(Duration.ofSeconds(30)).GET();
      headers.forEach(request::header);
      long t0 = System.nanoTime();
      HttpResponse<String> response;
      try {
        response = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
      } catch (IOException e) {
        errors.increment();
        continue;
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        break;
      }
      long latency = System.nanoTime() - t0;
      latencyBySecond.computeIfAbsent((int) ((t0 - runStart) / 1_000_000_000L),
          s -> new ConcurrentLinkedQueue<>()).add(latency / 1000);
      if (n == latencies.length) {
        latencies = Arrays.copyOf(latencies, n * 2);
      }
      latencies[n++] = latency;
      requests.increment();
      String xCache = response.headers().firstValue("X-Cache").orElse("");
      if (response.statusCode() == 304 || xCache.equals("HIT") || xCache.equals("STALE")) {
        servedFromCache.increment();
      } else if (xCache.equals("MISS")) {
        missed.increment();
      }
      String body;
      if (response.statusCode() == 304 && copy != null) {
        notModified.increment();
        body = copy[1];
      } else if (response.statusCode() == 200) {
        body = response.body();
        response.headers().firstValue("ETag").ifPresent(etag -> copies.put(copyKey, new String[] {etag, response.body()}));
      } else {
        errors.increment();
        continue;
      }
      if (target.startsWith("/api/products") && isStale(body, mustSee)) {
        staleReads.increment();
      }
      if (target.equals("/api/config") && !body.contains("\"tenant\":\"" + headers.get("X-Tenant-Id") + "\"")) {
        crossTenant.increment(); // another tenant's configuration
      }
    }
    return Arrays.copyOf(latencies, n);
  }

  /** True when the body shows a product at a price older than a write that completed before the read. */
  private static boolean isStale(String body, Map<Integer, Double> mustSee) {
    if (mustSee.isEmpty()) {
      return false;
    }
    try {
      JsonNode node = DemoApi.JSON.readTree(body);
      Iterable<JsonNode> products = node.isArray() ? node : List.of(node);
      for (JsonNode p : products) {
        Double committed = mustSee.get(p.path("id").asInt());
        if (committed != null && p.path("price").asDouble() < committed) {
          return true;
        }
      }
      return false;
    } catch (IOException e) {
      return true; // an unreadable product body is not what the database holds
    }
  }

  /** Changes a hot product every write interval; each write gives a price above every earlier one. */
  private void writer(HttpClient http, URI base, long deadline) throws Exception {
    long next = System.nanoTime() + options.writeInterval().toNanos();
    while (true) {
      long wait = next - System.nanoTime();
      if (next >= deadline) {
        return;
      }
      if (wait > 0) {
        TimeUnit.NANOSECONDS.sleep(wait); // the write schedule, not synchronisation
      }
      int id = productRank.next();
      int seq = writes.incrementAndGet();
      double price = 1000 + seq;
      String category = ProductCatalog.CATEGORIES.get(id % ProductCatalog.CATEGORIES.size());
      String json = "{\"name\":\"Product " + id + "\",\"category\":\"" + category + "\",\"price\":" + price + "}";
      HttpResponse<String> r = http.send(HttpRequest.newBuilder(base.resolve("/api/products/" + id))
          .header("Content-Type", "application/json").PUT(HttpRequest.BodyPublishers.ofString(json)).build(),
          HttpResponse.BodyHandlers.ofString());
      requests.increment();
      writeSeconds.add((int) ((System.nanoTime() - runStart) / 1_000_000_000L));
      if (r.statusCode() == 200) {
        committedPrice.merge(id, price, Math::max);
      } else {
        errors.increment();
      }
      next += options.writeInterval().toNanos();
    }
  }

  /** The run's seconds for the chart: hit rate and p99 latency of each, and whether a write happened in it. */
  List<ScenarioChart.Sample> samples() {
    List<ScenarioChart.Sample> out = new ArrayList<>();
    for (double[] h : hitRateBySecond) {
      int second = (int) h[0];
      Queue<Long> l = latencyBySecond.getOrDefault(second, new ArrayDeque<>());
      long[] sorted = l.stream().mapToLong(Long::longValue).sorted().toArray();
      double p99 = sorted.length == 0 ? 0 : sorted[Math.min(sorted.length - 1, (int) (sorted.length * 0.99))] / 1000.0;
      out.add(new ScenarioChart.Sample(second, h[1], p99, writeSeconds.contains(second)));
    }
    return out;
  }

  /** Prints one row per run of a comparison: the same workload behind each layer and store. */
  static void reportComparison(List<Result> results, PrintStream out) {
    out.println();
    out.printf("  %-20s %10s %9s %9s %7s %7s %8s %10s %9s %8s %8s %8s %9s %7s %7s%n", "layer", "requests", "req/s",
        "DB queries", "DB/req", "warm", "DB/write", "hit rate", "warm hit", "p50 ms", "p99 ms", "p999 ms", "Redis/req",
        "stale", "tenant");
    for (Result r : results) {
      out.printf("  %-20s %,10d %,9.0f %,9d %6.2f%% %6.2f%% %8.1f %9.1f%% %8.1f%% %8.2f %8.2f %8.2f %9s %7d %7d%n",
          r.store(), r.requests(), r.requestsPerSecond(), r.originCalls(), r.originShare(), r.warmOriginShare(),
          r.refillsPerWrite(), r.observedHitRate() * 100, r.warmHitRate() * 100, r.p50Micros() / 1000.0,
          r.p99Micros() / 1000.0, r.p999Micros() / 1000.0,
          r.redisCommandsPerRequest().map(v -> String.format("%.2f", v)).orElse("-"), r.staleReadsAfterWrite(),
          r.crossTenantReads());
    }
    out.println("  (DB/req: DB queries over requests; warm: the same without each item's first read, which any"
        + " cache pays once; DB/write: those refills per write; warm hit: the hit rate without first reads; hit rate as seen by the clients: HIT, STALE and 304 answers over those and MISS;"
        + " stale: reads after a completed write that returned older data; tenant: /api/config answers for"
        + " another tenant)");
  }

  /**
   * Prints the summary table: first the figures that hold on any machine (what a write costs, the
   * hit rate once warm, stale and cross-tenant reads), then those that depend on its speed.
   */
  static void report(Result r, PrintStream out) {
    double reduction = r.originCalls() == 0 ? 0 : (double) r.requests() / r.originCalls();
    out.println();
    out.println("  on any machine:");
    out.printf("  %-30s %12.1f   (%,d refills after %,d writes, once each item was read)%n", "DB queries per write",
        r.refillsPerWrite(), r.warmOriginCalls(), r.writes());
    out.printf("  %-30s %11.1f%%   (HIT, STALE and 304 over those and misses, first reads left out)%n",
        "hit rate once warm", r.warmHitRate() * 100);
    out.printf("  %-30s %,12d%n", "stale reads after writes", r.staleReadsAfterWrite());
    out.printf("  %-30s %,12d%n", "answers for another tenant", r.crossTenantReads());
    out.println("  on this machine, in this run:");
    out.printf("  %-30s %,12d%n", "requests", r.requests());
    out.printf("  %-30s %,12d   (%.2f%% of requests; %,d first reads, paid once)%n", "DB queries with the cache",
        r.originCalls(), r.originShare(), r.firstReads());
    out.printf("  %-30s %,12d   (one per request; %.1fx fewer with the cache)%n", "DB queries without it",
        r.requests(), reduction);
    out.printf("  %-30s %11.1f%%%n", "hit rate", r.hitRate() * 100);
    out.printf("  %-30s %11.1f%%   (%,d responses, %,d body bytes not sent)%n", "304 Not Modified",
        r.requests() == 0 ? 0 : 100.0 * r.notModified() / r.requests(), r.notModified(), r.bytesSavedByNotModified());
    out.printf("  %-30s %12s%n", "latency p50 / p99",
        String.format("%.2f / %.2f ms", r.p50Micros() / 1000.0, r.p99Micros() / 1000.0));
    r.redisCommandsPerRequest().ifPresent(v -> out.printf("  %-30s %12.3f   (%s store)%n",
        "Redis commands per request", v, r.store()));
    if (r.errors() > 0) {
      out.printf("  %-30s %,12d%n", "errors", r.errors());
    }
  }

  static void writeJson(Result r, Path file) throws IOException {
    Files.write(file, DemoApi.JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(r.toJson()));
  }
}
