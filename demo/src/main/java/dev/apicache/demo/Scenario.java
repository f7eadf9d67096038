package dev.apicache.demo;

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
      DemoStore.Kind store, String redisUrl, DemoApi.Framework framework, DemoApi.Layer layer, int nodes, String db,
      Optional<Duration> killNodeAt, Duration warmUp) {

    Options {
      if (nodes < 1) {
        throw new IllegalArgumentException("nodes must be at least 1");
      }
      if (killNodeAt.isPresent() && nodes < 2) {
        throw new Main.UsageException("--kill-node-at needs --nodes 2 or more: the others must go on serving");
      }
      if (nodes > 1 && (layer != DemoApi.Layer.APICACHE || store == DemoStore.Kind.CAFFEINE)) {
        throw new Main.UsageException("--nodes " + nodes + " runs replicas over one shared store: give --store redis,"
            + " tiered, hazelcast or tiered-hazelcast");
      }
    }

    Options(Duration duration, int clients, Duration writeInterval, double conditionalShare, int products) {
      this(duration, clients, writeInterval, conditionalShare, products, DemoStore.Kind.CAFFEINE,
          "redis://127.0.0.1:6379", DemoApi.Framework.JAVALIN);
    }

    Options(Duration duration, int clients, Duration writeInterval, double conditionalShare, int products,
        DemoStore.Kind store, String redisUrl, DemoApi.Framework framework) {
      this(duration, clients, writeInterval, conditionalShare, products, store, redisUrl, framework,
          DemoApi.Layer.APICACHE, 1, "embedded", Optional.empty(), Duration.ZERO);
    }

    Options with(DemoApi.Layer l, DemoStore.Kind s) {
      return new Options(duration, clients, writeInterval, conditionalShare, products, s, redisUrl, framework, l, nodes,
          db, killNodeAt, warmUp);
    }

    /** The same run over {@code n} node processes and the database {@code spec}, killing one at {@code kill}. */
    Options onNodes(int n, String spec, Optional<Duration> kill) {
      return new Options(duration, clients, writeInterval, conditionalShare, products, store, redisUrl, framework,
          layer, n, spec, kill, warmUp);
    }

    /**
     * The same run after {@code w} of the same load that is not counted (reads are still checked):
     * the JIT of every node warms up first, so the figures are those of warm servers.
     */
    Options afterWarmUp(Duration w) {
      return new Options(duration, clients, writeInterval, conditionalShare, products, store, redisUrl, framework,
          layer, nodes, db, killNodeAt, w);
    }

    /** How the run is labelled in reports. */
    String label() {
      return layer == DemoApi.Layer.APICACHE ? "apicache/" + store : layer.toString();
    }
  }

  /** One node's share of a run. */
  record NodeResult(String name, long requests, long staleReads, long errors, double hitRate, long queries,
      String status) {
    Map<String, Object> toJson() {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("name", name);
      m.put("requests", requests);
      m.put("staleReads", staleReads);
      m.put("errors", errors);
      m.put("hitRate", Math.round(hitRate * 10_000) / 10_000.0);
      m.put("databaseQueries", queries);
      m.put("status", status);
      return m;
    }
  }

  /**
   * The cross-node invalidation lag: for each write, from its response to the start of the first
   * read on every node that no longer returned the old data (the worst node's figure).
   */
  record Lag(int writesProbed, double p50Millis, double p99Millis, double maxMillis) {
    static Lag of(List<Long> nanos) {
      long[] sorted = nanos.stream().mapToLong(Long::longValue).sorted().toArray();
      return new Lag(sorted.length, quantile(sorted, 0.50), quantile(sorted, 0.99),
          sorted.length == 0 ? 0 : sorted[sorted.length - 1] / 1e6);
    }

    private static double quantile(long[] sorted, double q) {
      return sorted.length == 0 ? 0 : sorted[(int) Math.min(sorted.length - 1, Math.floor(q * sorted.length))] / 1e6;
    }

    Map<String, Object> toJson() {
      return Map.of("writesProbed", writesProbed, "p50Millis", round(p50Millis), "p99Millis", round(p99Millis),
          "maxMillis", round(maxMillis));
    }

    private static double round(double millis) {
      return Math.round(millis * 1000) / 1000.0;
    }
  }

  /** What a run measured. */
  record Result(long requests, long originCalls, double hitRate, long notModified, long staleReadsAfterWrite,
      long p50Micros, long p99Micros, long writes, long bytesSavedByNotModified, long errors, String store,
      Optional<Long> redisCommands, String framework, long p999Micros, double requestsPerSecond,
      double observedHitRate, long crossTenantReads, long firstReads, long servedFromCache, long cacheMisses,
      String database, long databaseCounted, List<NodeResult> nodes, Lag lag, long retried, List<String> events,
      long wholeRunQueries, long revalidations) {

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

    /**
     * How far the database's own count of statements is from the demo's, as a share of the demo's
     * (0.01 is 1%).
     */
    double databaseCountDifference() {
      return wholeRunQueries == 0 ? 0 : Math.abs(databaseCounted - wholeRunQueries) / (double) wholeRunQueries;
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
      m.put("database", database);
      m.put("databaseQueriesCounted", databaseCounted);
      m.put("demoQueriesWholeRun", wholeRunQueries);
      m.put("revalidations", revalidations);
      m.put("databaseCountDifference", Math.round(databaseCountDifference() * 10_000) / 10_000.0);
      m.put("nodes", nodes.stream().map(NodeResult::toJson).toList());
      m.put("crossNodeLag", lag.toJson());
      m.put("retriedOnAnotherNode", retried);
      m.put("events", events);
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
  private final LongAdder retried = new LongAdder();
  /** Latencies (micros) by second of the run, for the chart. */
  private final ConcurrentHashMap<Integer, Queue<Long>> latencyBySecond =
      new ConcurrentHashMap<>();
  private final Set<Integer> writeSeconds = ConcurrentHashMap.newKeySet();
  private volatile long runStart;
  private final List<double[]> hitRateBySecond = new CopyOnWriteArrayList<>();
  private final AtomicInteger writes = new AtomicInteger();
  private final AtomicInteger prices = new AtomicInteger();
  private final List<Long> lagNanos = new CopyOnWriteArrayList<>();
  private final List<String> events = new CopyOnWriteArrayList<>();
  /**
   * The service's public name, which a load balancer passes on to every replica as {@code Host}:
   * the cache keys on the host, so replicas share entries only when they are asked for one.
   */
  static final String SERVICE_HOST = "api.shop.example";

  /** The nodes behind the scenario's load balancer, and what each served. */
  private List<ScenarioNodes.Node> nodes = List.of();
  private PerNode[] perNode = new PerNode[0];

  /** One node as the load balancer sees it. */
  private static final class PerNode {
    final LongAdder requests = new LongAdder();
    final LongAdder staleReads = new LongAdder();
    final LongAdder errors = new LongAdder();
    /** Taken out of the rotation: killed; requests in flight to it are retried on another node. */
    volatile boolean down;
    volatile String status = "up";
    volatile ScenarioNodes.Figures figures = ScenarioNodes.Figures.NONE;
  }

  Scenario(Options options, PrintStream out) {
    this.options = options;
    this.out = out;
    this.productRank = new Zipf(options.products(), 1.1);
    this.listRank = new Zipf(ProductCatalog.CATEGORIES.size() * 5, 1.0);
  }

  Result run() throws Exception {
    if (options.nodes() > 1) {
      requireHostHeaders();
    }
    boolean apicache = options.layer() == DemoApi.Layer.APICACHE;
    HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
        .connectTimeout(Duration.ofSeconds(5)).build();
    Path logs = Files.createTempDirectory("apicache-scenario-");
    try (DemoDatabase db = DemoDatabase.open(options.db(), out)) {
      String generation = SqlCatalog.prepare(db.jdbcUrl(), options.products(), true);
      nodes = startNodes(db, generation, http, logs);
      perNode = new PerNode[nodes.size()];
      for (int i = 0; i < perNode.length; i++) {
        perNode[i] = new PerNode();
      }
      Result r;
      try {
        db.startCounting(); // after the nodes started: what they sent while starting is not the workload's
        out.printf("apicache scenario: %d s, %d clients, %d products (Zipf s=1.1), %.0f%% conditional, a write every %.1f s,"
            + " %s store, %s, %s%s%n", options.duration().toSeconds(), options.clients(), options.products(),
            options.conditionalShare() * 100, options.writeInterval().toMillis() / 1000.0, options.label(),
            options.framework(), db.description(), nodes.size() > 1 ? ", " + nodes.size() + " node processes" : "");
        List<ScenarioNodes.Figures> baseline = new ArrayList<>();
        if (!options.warmUp().isZero()) {
          out.printf("  warming up for %d s: the same load, not counted (every read is still checked)%n",
              options.warmUp().toSeconds());
          load(http, db, apicache, options.warmUp(), false, List.of());
          for (ScenarioNodes.Node n : nodes) {
            baseline.add(n.poll(true));
          }
          newPhase();
          out.println("  warm: counting from here");
        }
        r = load(http, db, apicache, options.duration(), true, baseline);
      } finally {
        nodes.forEach(ScenarioNodes.Node::close);
      }
      long counted = db.statementsSettled(); // the nodes' pools are closed: every session has reported
      return withDatabase(r, db.description(), counted);
    } finally {
      deleteLogsUnlessKept(logs);
    }
  }

  /** The JDK's HTTP client sends a Host of our own only when told it may ({@link Main} tells it). */
  private static void requireHostHeaders() {
    try {
      HttpRequest.newBuilder(URI.create("http://127.0.0.1/")).header("Host", SERVICE_HOST);
    } catch (IllegalArgumentException e) {
      throw new IllegalStateException("--nodes needs -Djdk.httpclient.allowRestrictedHeaders=host on the JVM that"
          + " runs the scenario, to send every node the service's one Host, as a load balancer does");
    }
  }

  /** A request to {@code uri} as the load balancer sends it: with the service's Host when there are replicas. */
  private HttpRequest.Builder request(URI uri) {
    HttpRequest.Builder b = HttpRequest.newBuilder(uri);
    return nodes.size() > 1 ? b.header("Host", SERVICE_HOST) : b;
  }

  private List<ScenarioNodes.Node> startNodes(DemoDatabase db, String generation, HttpClient http, Path logs)
      throws Exception {
    if (options.nodes() > 1) {
      return ScenarioNodes.start(new ScenarioNodes.Launch(options.nodes(), options.store(), options.redisUrl(),
          options.framework(), db.jdbcUrl(), AdminToken.random(), logs), http);
    }
    SqlCatalog catalog = SqlCatalog.open(db.jdbcUrl(), 16);
    try {
      if (options.layer() != DemoApi.Layer.APICACHE) {
        return List.of(new ScenarioNodes.InProcess(DemoApi.startWithout(options.layer(), options.framework(),
            "127.0.0.1", 0, catalog, options.redisUrl()), catalog, Optional.empty()));
      }
      DemoStore store = Main.Replicas.defaults().open(options.store(), options.redisUrl(), generation);
      store.awaitConnected(Duration.ofSeconds(5));
      return List.of(new ScenarioNodes.InProcess(DemoApi.start(options.framework(), "127.0.0.1", 0,
          DemoApi.policies(Optional.empty()), catalog, store, Optional.empty()), catalog, Optional.of(store)));
    } catch (RuntimeException e) {
      catalog.close();
      throw e;
    }
  }

  /** A node's log is kept only when asked for (APICACHE_SCENARIO_LOGS=keep), to look into a failed run. */
  private void deleteLogsUnlessKept(Path logs) throws IOException {
    if ("keep".equals(System.getenv("APICACHE_SCENARIO_LOGS"))) {
      out.println("  node logs kept in " + logs);
      return;
    }
    try (var files = Files.list(logs)) {
      for (Path f : files.toList()) {
        Files.deleteIfExists(f);
      }
    }
    Files.deleteIfExists(logs);
  }

  /** Forgets what the warm-up measured; stale reads, errors and retries stay counted. */
  private void newPhase() {
    requests.reset();
    notModified.reset();
    servedFromCache.reset();
    missed.reset();
    writes.set(0);
    lagNanos.clear();
    latencyBySecond.clear();
    writeSeconds.clear();
    hitRateBySecond.clear();
    for (PerNode n : perNode) {
      n.requests.reset();
    }
  }

  /**
   * Runs the load for {@code length}; when {@code measured}, kills the node asked for and returns
   * what the run measured beyond {@code baseline} (the nodes' figures when it started), else null.
   */
  private Result load(HttpClient http, DemoDatabase db, boolean apicache, Duration length, boolean measured,
      List<ScenarioNodes.Figures> baseline) throws Exception {
    long start = System.nanoTime();
    runStart = start;
    long deadline = start + length.toNanos();
    ExecutorService pool = Executors.newFixedThreadPool(options.clients() + 1);
    ExecutorService probes = Executors.newFixedThreadPool(nodes.size());
    try {
      List<Future<long[]>> clients = new ArrayList<>();
      for (int c = 0; c < options.clients(); c++) {
        clients.add(pool.submit(() -> client(http, deadline)));
      }
      Future<?> writer = pool.submit(() -> {
        writer(http, probes, deadline);
        return null;
      });
      Progress progress = new Progress(db, start, measured);
      long nextReport = start + TimeUnit.SECONDS.toNanos(1);
      Optional<Long> killAt = measured ? options.killNodeAt().map(d -> start + d.toNanos()) : Optional.empty();
      for (long now = System.nanoTime(); now < deadline; now = System.nanoTime()) {
        if (killAt.isPresent() && now >= killAt.get() && !perNode[nodes.size() - 1].down) {
          kill(nodes.size() - 1, start);
        }
        // the second that ends at the deadline is the final report's, however late this thread runs
        if (now >= nextReport && nextReport < deadline) {
          progress.second(nextReport);
          nextReport += TimeUnit.SECONDS.toNanos(1);
        }
        TimeUnit.MILLISECONDS.sleep(20); // the progress printer's own pace, not synchronisation
      }
      long[] latencies = new long[0];
      for (Future<long[]> c : clients) {
        long[] l = c.get(60, TimeUnit.SECONDS);
        int old = latencies.length;
        latencies = Arrays.copyOf(latencies, old + l.length);
        System.arraycopy(l, 0, latencies, old, l.length);
      }
      writer.get(60, TimeUnit.SECONDS);
      progress.second(System.nanoTime()); // the last second, and whatever ran past the deadline
      if (!measured) {
        return null;
      }
      List<ScenarioNodes.Figures> figures = new ArrayList<>();
      long wholeRunQueries = 0;
      for (int i = 0; i < nodes.size(); i++) {
        perNode[i].figures = nodes.get(i).poll(true);
        wholeRunQueries += perNode[i].figures.queries();
        figures.add(baseline.isEmpty() ? perNode[i].figures : ScenarioNodes.since(perNode[i].figures, baseline.get(i)));
      }
      // what no node had read from the database before this phase: read once by any cache, however good
      java.util.Set<String> readNow = new java.util.HashSet<>();
      for (PerNode n : perNode) {
        readNow.addAll(n.figures.readOnce());
      }
      readNow.removeAll(ScenarioNodes.union(baseline));
      long firstReads = readNow.size();
      Arrays.sort(latencies);
      double seconds = (System.nanoTime() - start) / 1e9;
      CacheStats.Counts total = ScenarioNodes.total(figures);
      long served = servedFromCache.sum();
      double observed = served + missed.sum() == 0 ? 0 : (double) served / (served + missed.sum());
      long queries = figures.stream().mapToLong(ScenarioNodes.Figures::queries).sum();
      List<NodeResult> byNode = new ArrayList<>();
      for (int i = 0; i < nodes.size(); i++) {
        PerNode n = perNode[i];
        byNode.add(new NodeResult(nodes.get(i).name(), n.requests.sum(), n.staleReads.sum(), n.errors.sum(),
            figures.get(i).cache().hitRate(), figures.get(i).queries(), n.status));
      }
      return new Result(requests.sum(), queries, apicache ? total.hitRate() : observed, notModified.sum(),
          staleReads.sum(), percentile(latencies, 0.50), percentile(latencies, 0.99), writes.get(),
          total.bytesSavedByNotModified(), errors.sum(), options.label(), ScenarioNodes.redisCommands(figures),
          options.framework().toString(), percentile(latencies, 0.999), requests.sum() / seconds, observed,
          crossTenant.sum(), firstReads, served, missed.sum(), "", -1, byNode,
          Lag.of(lagNanos), retried.sum(), List.copyOf(events), wholeRunQueries, total.revalidations());
    } finally {
      pool.shutdownNow();
      probes.shutdownNow();
    }
  }

  private static Result withDatabase(Result r, String database, long counted) {
    return new Result(r.requests(), r.originCalls(), r.hitRate(), r.notModified(), r.staleReadsAfterWrite(),
        r.p50Micros(), r.p99Micros(), r.writes(), r.bytesSavedByNotModified(), r.errors(), r.store(), r.redisCommands(),
        r.framework(), r.p999Micros(), r.requestsPerSecond(), r.observedHitRate(), r.crossTenantReads(), r.firstReads(),
        r.servedFromCache(), r.cacheMisses(), database, counted, r.nodes(), r.lag(), r.retried(), r.events(),
        r.wholeRunQueries(), r.revalidations());
  }

  /**
   * Takes node {@code i} out of the load balancer's rotation and kills it at once, as a crash
   * would: requests in flight to it fail and are retried on another node, as a load balancer retries
   * an idempotent request whose connection broke.
   */
  private void kill(int i, long start) {
    perNode[i].figures = nodes.get(i).poll(true);
    perNode[i].down = true;
    nodes.get(i).kill();
    String when = String.format("%.1f s", (System.nanoTime() - start) / 1e9);
    perNode[i].status = "killed at " + when;
    events.add(nodes.get(i).name() + " killed at " + when);
    out.println("  " + nodes.get(i).name() + " killed at " + when + "; the others go on serving");
  }

  /** One progress line and one chart sample per second of the run, the last one included. */
  private final class Progress {
    private final DemoDatabase db;
    private final long start;
    private final boolean measured;
    private long lastServed;
    private long lastMissed;

    Progress(DemoDatabase db, long start, boolean measured) {
      this.db = db;
      this.start = start;
      this.measured = measured;
    }

    void second(long now) {
      long served = servedFromCache.sum();
      long miss = missed.sum();
      long d = (served - lastServed) + (miss - lastMissed);
      if (measured) {
        hitRateBySecond.add(new double[] {hitRateBySecond.size(), d == 0 ? 0 : (double) (served - lastServed) / d});
      }
      lastServed = served;
      lastMissed = miss;
      List<ScenarioNodes.Figures> figures = new ArrayList<>();
      int up = 0;
      for (int i = 0; i < nodes.size(); i++) {
        if (!perNode[i].down) {
          perNode[i].figures = nodes.get(i).poll(false);
          up++;
        }
        figures.add(perNode[i].figures);
      }
      CacheStats.Counts t = ScenarioNodes.total(figures);
      double elapsed = (now - start) / 1e9;
      out.printf("  %3d s  %,9d requests  %,7d req/s  hit rate %5.1f%%  DB queries %,7d (database: %,d)  stale reads %d%s%n",
          (long) elapsed, requests.sum(), Math.round(requests.sum() / Math.max(1e-3, elapsed)), t.hitRate() * 100,
          figures.stream().mapToLong(ScenarioNodes.Figures::queries).sum(), db.statementsNow(), staleReads.sum(),
          (nodes.size() > 1 ? "  nodes up " + up + "/" + nodes.size() : "") + (measured ? "" : "  (warm-up)"));
    }
  }

  private static long percentile(long[] sortedNanos, double q) {
    if (sortedNanos.length == 0) {
      return 0;
    }
    return sortedNanos[(int) Math.min(sortedNanos.length - 1, Math.floor(q * sortedNanos.length))] / 1000;
  }

  /** A response and the node that gave it. */
  private record Answer(int node, HttpResponse<String> response) {}

  /**
   * Sends a request to a node the load balancer picks at random among those up; when the
   * connection to a node taken down breaks, the request goes to another (each request here is
   * idempotent: GETs and PUTs of a whole product).
   */
  private Answer send(HttpClient http, String target, java.util.function.Function<URI, HttpRequest> request)
      throws IOException, InterruptedException {
    IOException last = null;
    for (int attempt = 0; attempt <= nodes.size(); attempt++) {
      int i = pickNode();
      try {
        return new Answer(i, http.send(request.apply(nodes.get(i).base().resolve(target)),
            HttpResponse.BodyHandlers.ofString()));
      } catch (IOException e) {
        if (!perNode[i].down) {
          perNode[i].errors.increment();
          throw e;
        }
        retried.increment();
        last = e;
      }
    }
    throw last;
  }

  /** A node picked at random among those up, each as likely as the others. */
  private int pickNode() {
    int n = nodes.size();
    int[] up = new int[n];
    int count = 0;
    for (int i = 0; i < n; i++) {
      if (!perNode[i].down) {
        up[count++] = i;
      }
    }
    if (count == 0) {
      throw new IllegalStateException("every node is down");
    }
    return up[ThreadLocalRandom.current().nextInt(count)];
  }

  /** One client: reads until the deadline; returns its latencies in nanoseconds. */
  private long[] client(HttpClient http, long deadline) {
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
      long t0 = System.nanoTime();
      Answer answer;
      try {
        answer = send(http, target, uri -> {
          HttpRequest.Builder request = request(uri).timeout(Duration.ofSeconds(30)).GET();
          headers.forEach(request::header);
          return request.build();
        });
      } catch (IOException | IllegalStateException e) {
        errors.increment();
        continue;
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        break;
      }
      HttpResponse<String> response = answer.response();
      PerNode node = perNode[answer.node()];
      long latency = System.nanoTime() - t0;
      latencyBySecond.computeIfAbsent((int) ((t0 - runStart) / 1_000_000_000L),
          s -> new ConcurrentLinkedQueue<>()).add(latency / 1000);
      if (n == latencies.length) {
        latencies = Arrays.copyOf(latencies, n * 2);
      }
      latencies[n++] = latency;
      requests.increment();
      node.requests.increment();
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
        node.errors.increment();
        continue;
      }
      if (target.startsWith("/api/products") && isStale(body, mustSee)) {
        staleReads.increment();
        node.staleReads.increment();
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

  /**
   * Changes a hot product every write interval, on a node picked at random; each write gives a
   * price above every earlier one. After each, every node up is read for that product until it
   * answers the new price: the cross-node lag.
   */
  private void writer(HttpClient http, ExecutorService probes, long deadline) throws Exception {
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
      writes.incrementAndGet();
      double price = 1000 + prices.incrementAndGet(); // never reset: every write's price beats all earlier ones
      String category = ProductCatalog.CATEGORIES.get(id % ProductCatalog.CATEGORIES.size());
      String json = "{\"name\":\"Product " + id + "\",\"category\":\"" + category + "\",\"price\":" + price + "}";
      LagProbe lag = nodes.size() > 1 ? new LagProbe(http, probes, id, price) : null;
      Answer a;
      try {
        a = send(http, "/api/products/" + id, uri -> request(uri).timeout(Duration.ofSeconds(30))
            .header("Content-Type", "application/json").PUT(HttpRequest.BodyPublishers.ofString(json)).build());
      } catch (IOException | IllegalStateException e) {
        errors.increment();
        if (lag != null) {
          lag.abandon();
        }
        next += options.writeInterval().toNanos();
        continue;
      }
      long answered = System.nanoTime();
      requests.increment();
      perNode[a.node()].requests.increment();
      writeSeconds.add((int) ((answered - runStart) / 1_000_000_000L));
      if (a.response().statusCode() == 200) {
        committedPrice.merge(id, price, Math::max);
        if (lag != null) {
          lag.answeredAt(answered);
        }
      } else {
        errors.increment();
        perNode[a.node()].errors.increment();
        if (lag != null) {
          lag.abandon();
        }
      }
      next += options.writeInterval().toNanos();
    }
  }

  /**
   * Measures one write's cross-node lag: from the moment the write is sent, every node up is read
   * for the product back to back. A node's lag is from the write's answer to the start of the
   * earliest read after which that node only answered the new price (zero when such a read began
   * before the answer); a read begun after the answer that saw an older price is a stale read,
   * counted once per write and node. The write's lag is the slowest node's.
   */
  private final class LagProbe {
    private static final long GIVE_UP_NANOS = TimeUnit.SECONDS.toNanos(2);
    /** 0 until the write is answered; -1 when it failed and nothing is measured. */
    private final java.util.concurrent.atomic.AtomicLong answered = new java.util.concurrent.atomic.AtomicLong();
    private final List<Future<Long>> each = new ArrayList<>();

    LagProbe(HttpClient http, ExecutorService probes, int id, double price) {
      for (int i = 0; i < nodes.size(); i++) {
        if (!perNode[i].down) {
          int node = i;
          each.add(probes.submit(() -> probe(http, node, id, price)));
        }
      }
    }

    void abandon() {
      answered.set(-1);
    }

    /** The write was answered at {@code nanos}: waits for every node's figure and records the worst. */
    void answeredAt(long nanos) throws InterruptedException {
      answered.set(nanos);
      long worst = -1;
      for (Future<Long> f : each) {
        try {
          worst = Math.max(worst, f.get(30, TimeUnit.SECONDS));
        } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
          // a node killed while probed says nothing about the lag
        }
      }
      if (worst >= 0) {
        lagNanos.add(worst);
      }
    }

    /** One node's lag in nanoseconds, or -1 when the write failed or the node went down. */
    private long probe(HttpClient http, int node, int id, double price) throws InterruptedException {
      long sinceFresh = -1; // the start of the earliest read of the current run of new-price answers
      boolean sawOld = false;
      while (!perNode[node].down) {
        long a = answered.get();
        if (a < 0) {
          return -1;
        }
        long started = System.nanoTime();
        if (a > 0 && started - a > GIVE_UP_NANOS) {
          return GIVE_UP_NANOS; // still the old price two seconds after the answer
        }
        boolean fresh;
        try {
          HttpResponse<String> r = http.send(request(nodes.get(node).base().resolve("/api/products/" + id))
              .timeout(Duration.ofSeconds(10)).GET().build(), HttpResponse.BodyHandlers.ofString());
          if (r.statusCode() != 200) {
            perNode[node].errors.increment();
            errors.increment();
            return -1;
          }
          fresh = DemoApi.JSON.readTree(r.body()).path("price").asDouble() >= price;
        } catch (IOException e) {
          if (!perNode[node].down) {
            perNode[node].errors.increment();
            errors.increment();
          }
          return -1;
        }
        a = answered.get();
        if (fresh) {
          if (sinceFresh < 0) {
            sinceFresh = started;
          }
          if (a > 0 && started - a > 0) {
            return Math.max(0, sinceFresh - a); // a new-price read begun after the answer ends the measure
          }
        } else {
          sinceFresh = -1;
          if (a > 0 && started - a > 0 && !sawOld) {
            sawOld = true;
            staleReads.increment();
            perNode[node].staleReads.increment();
          }
        }
      }
      return -1;
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
    if (r.revalidations() > 0) {
      out.printf("  %-30s %,12d   (entries whose time to live ended, refreshed in the background; in the refills)%n",
          "of which revalidations", r.revalidations());
    }
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
    out.printf("  %-30s %,12d   (the demo's own count: %,d; %.2f%% apart; whole run; %s)%n",
        "DB queries, database's count", r.databaseCounted(), r.wholeRunQueries(), r.databaseCountDifference() * 100,
        r.database());
    if (r.nodes().size() > 1) {
      out.printf("  %-30s %12s   (%,d writes: from each write's answer until no node served the old data)%n",
          "cross-node lag p50/p99/max", String.format("%.2f / %.2f / %.2f ms", r.lag().p50Millis(), r.lag().p99Millis(),
              r.lag().maxMillis()), r.lag().writesProbed());
      out.printf("  %-30s %,12d%n", "retried on another node", r.retried());
      r.events().forEach(e -> out.printf("  %-30s %s%n", "event", e));
      out.println();
      out.printf("  %-8s %10s %9s %7s %7s %10s  %s%n", "node", "requests", "hit rate", "stale", "errors", "DB queries",
          "status");
      for (NodeResult n : r.nodes()) {
        out.printf("  %-8s %,10d %8.1f%% %7d %7d %,10d  %s%n", n.name(), n.requests(), n.hitRate() * 100,
            n.staleReads(), n.errors(), n.queries(), n.status());
      }
      out.printf("  %-8s %,10d %8.1f%% %7d %7d %,10d%n", "total", r.requests(), r.hitRate() * 100,
          r.staleReadsAfterWrite(), r.errors(), r.originCalls());
    }
    if (r.errors() > 0) {
      out.printf("  %-30s %,12d%n", "errors", r.errors());
    }
  }

  static void writeJson(Result r, Path file) throws IOException {
    Files.write(file, DemoApi.JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(r.toJson()));
  }
}
