package dev.apicache.demo;

import dev.apicache.CachePolicies;
import dev.apicache.PolicyConfigException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The {@code ./apicache} command: {@code serve} runs the demo API, {@code scenario} drives it and
 * reports what the cache did, {@code proxy} puts the cache in front of any HTTP service.
 */
public final class Main {
  private static final String SERVE_USAGE = String.join("\n",
      "  apicache serve    [--host 127.0.0.1] [--port 8080] [--config FILE] [--store caffeine|redis|tiered|hazelcast|tiered-hazelcast]",
      "                    [--redis-url URL] [--framework javalin|servlet|helidon] [--no-cache | --ceiling]",
      "                    [--db embedded|h2|jdbc:postgresql://...]   (replicas given one --db and store share all)",
      "                    [--key-prefix P | --random-prefix] [--hazelcast-port N] [--hazelcast-members H:P,...]",
      "                    [--stop-with-pid PID]   (exit when that process ends; scenario --nodes passes its own)",
      "                    [--admin-token-file FILE]   (or APICACHE_ADMIN_TOKEN; else a random token, printed)",
      "                    [--replaced-layer]   (instead: the layer apicache replaces, over the Redis at --redis-url)",
      "");

  private static final String SCENARIO_USAGE = String.join("\n",
      "  apicache scenario [--duration 20s] [--clients 8] [--write-every 2s] [--json FILE] [--compare] [--chart FILE.png]",
      "                    [--store caffeine|redis|tiered|hazelcast|tiered-hazelcast] [--redis-url redis://127.0.0.1:6379]",
      "                    [--framework javalin|servlet|helidon] [--db embedded|h2|jdbc:postgresql://...]",
      "                    [--nodes N [--kill-node-at 10s]]   (N serve processes over one shared store and database)",
      "                    [--warm-up 30s]   (the same load first, not counted, so that every JVM is warm)",
      "");

  private static final String USAGE = "usage:\n" + SERVE_USAGE + SCENARIO_USAGE + EntryFootprint.USAGE
      + "  (./apicache bench runs the JMH suites, from the benchmarks module; ./apicache proxy runs the proxy's own"
      + " program, apicache-proxy: see ./apicache proxy --help)\n";

  private static final String DEFAULT_REDIS = "redis://127.0.0.1:6379";

  private Main() {}

  public static void main(String[] args) throws Exception {
    // before any HTTP client exists: the multi-node scenario sends each node the service's one Host
    if (System.getProperty("jdk.httpclient.allowRestrictedHeaders") == null) {
      System.setProperty("jdk.httpclient.allowRestrictedHeaders", "host");
    }
    try {
      System.exit(run(List.of(args)));
    } catch (UsageException e) {
      System.err.println("apicache: " + e.getMessage());
      System.err.print(USAGE);
      System.exit(2);
    } catch (PolicyConfigException e) {
      System.err.println("apicache: bad policy file: " + e.getMessage());
      System.exit(2);
    }
  }

  static int run(List<String> args) throws Exception {
    Deque<String> rest = new ArrayDeque<>(args);
    String mode = rest.isEmpty() ? "" : rest.removeFirst();
    Optional<String> help = usageOf(mode);
    if (help.isPresent() && (rest.contains("--help") || rest.contains("-h"))) {
      System.out.print("usage:\n" + help.get());
      return 0;
    }
    switch (mode) {
      case "serve":
        return serve(rest);
      case "scenario":
        return scenario(rest);
      case "footprint":
        return EntryFootprint.run(rest);
      case "-h":
      case "--help":
      case "help":
        System.out.print(USAGE);
        return 0;
      default:
        throw new UsageException(mode.isEmpty() ? "say serve, scenario or footprint" : "unknown mode '" + mode + "'");
    }
  }

  /** The usage of the command {@code mode}, when it is one that takes options of its own. */
  private static Optional<String> usageOf(String mode) {
    switch (mode) {
      case "serve":
        return Optional.of(SERVE_USAGE);
      case "scenario":
        return Optional.of(SCENARIO_USAGE);
      case "footprint":
        return Optional.of(EntryFootprint.USAGE);
      default:
        return Optional.empty();
    }
  }

  /** What {@code serve} was asked to run; {@code adminToken} is empty when none was given. */
  record ServeOptions(String host, int port, Optional<Path> config, DemoApi.Layer layer, boolean ceiling,
      StoreChoice store, Optional<String> adminToken, Replicas replicas, Optional<Long> stopWithPid) {}

  /**
   * How replicas of one service find each other's entries: the Redis key prefix (by default named
   * after the database's data, so replicas over one database share it and a refilled database
   * starts afresh), or a random one; the Hazelcast member's port and the members it joins.
   */
  record Replicas(Optional<String> keyPrefix, boolean randomPrefix, int hazelcastPort, List<String> hazelcastMembers) {
    static Replicas defaults() {
      return new Replicas(Optional.empty(), false, 0, List.of("127.0.0.1"));
    }

    /** The Redis key prefix and Hazelcast cluster for data of {@code generation}. */
    DemoStore open(DemoStore.Kind kind, String redisUrl, String generation) {
      String name = randomPrefix ? java.util.UUID.randomUUID().toString().substring(0, 8) : generation;
      return DemoStore.open(kind, redisUrl, keyPrefix.orElse("apicache:demo:" + name + ":"),
          new DemoStore.HazelcastJoin("apicache-demo-" + name, hazelcastPort, hazelcastMembers));
    }
  }

  /** Parses the options of {@code serve}, refusing combinations that make no sense. */
  static ServeOptions parseServe(Deque<String> args) {
    return parseServe(args, System.getenv());
  }

  /** As {@link #parseServe(Deque)}, with {@code environment} supplying the admin token when no file does. */
  static ServeOptions parseServe(Deque<String> args, Map<String, String> environment) {
    int port = 8080;
    String host = "127.0.0.1";
    Optional<Path> config = Optional.empty();
    DemoApi.Layer layer = DemoApi.Layer.APICACHE;
    boolean ceiling = false;
    StoreChoice store = new StoreChoice();
    Optional<Path> tokenFile = Optional.empty();
    Optional<String> keyPrefix = Optional.empty();
    Optional<Long> stopWithPid = Optional.empty();
    boolean randomPrefix = false;
    int hazelcastPort = 0;
    List<String> members = List.of("127.0.0.1");
    boolean joinGiven = false;
    while (!args.isEmpty()) {
      String flag = args.removeFirst();
      if (store.accepts(flag, args)) {
        continue;
      }
      switch (flag) {
        case "--key-prefix":
          keyPrefix = Optional.of(value(flag, args));
          if (keyPrefix.get().isEmpty()) {
            throw new UsageException("--key-prefix must not be empty");
          }
          break;
        case "--random-prefix":
          randomPrefix = true;
          break;
        case "--hazelcast-port":
          hazelcastPort = parseInt(flag, value(flag, args), 1, 65_535);
          joinGiven = true;
          break;
        case "--hazelcast-members":
          members = List.of(value(flag, args).split(","));
          if (members.stream().anyMatch(String::isBlank)) {
            throw new UsageException("--hazelcast-members is a comma-separated list of host:port");
          }
          joinGiven = true;
          break;
        case "--port":
          port = parsePort(value(flag, args));
          break;
        case "--host":
          host = value(flag, args);
          break;
        case "--config":
          config = Optional.of(Path.of(value(flag, args)));
          break;
        case "--no-cache":
          layer = DemoApi.Layer.NONE;
          break;
        case "--replaced-layer":
          layer = DemoApi.Layer.SEED;
          break;
        case "--ceiling":
          ceiling = true;
          break;
        case "--admin-token-file":
          tokenFile = Optional.of(Path.of(value(flag, args)));
          break;
        case "--stop-with-pid":
          try {
            stopWithPid = Optional.of(Long.parseLong(value(flag, args)));
          } catch (NumberFormatException e) {
            throw new UsageException("--stop-with-pid must be a process id");
          }
          break;
        default:
          throw new UsageException("unknown option '" + flag + "' for serve");
      }
    }
    if (ceiling && layer != DemoApi.Layer.APICACHE) {
      throw new UsageException("--ceiling, --no-cache and --replaced-layer are different baselines: pick one");
    }
    if (layer == DemoApi.Layer.SEED
        && (store.storeGiven || config.isPresent() || tokenFile.isPresent() || store.framework != DemoApi.Framework.JAVALIN)) {
      throw new UsageException("--replaced-layer runs the layer apicache replaces (on Javalin, its state in the Redis"
          + " at --redis-url), so --store, --config, --admin-token-file and --framework mean nothing with it");
    }
    if ((ceiling || layer == DemoApi.Layer.NONE)
        && (store.storeGiven || store.redisUrlGiven || config.isPresent() || tokenFile.isPresent())) {
      throw new UsageException((ceiling ? "--ceiling" : "--no-cache") + " runs no cache, so --store, --redis-url,"
          + " --config and --admin-token-file mean nothing with it");
    }
    if (keyPrefix.isPresent() && randomPrefix) {
      throw new UsageException("--key-prefix and --random-prefix both name the keys: pick one");
    }
    if ((keyPrefix.isPresent() || randomPrefix) && (store.kind == DemoStore.Kind.CAFFEINE || layer != DemoApi.Layer.APICACHE)) {
      throw new UsageException("--key-prefix and --random-prefix name a shared store's keys: give --store redis,"
          + " tiered, hazelcast or tiered-hazelcast");
    }
    if (joinGiven && (!store.kind.usesHazelcast() || layer != DemoApi.Layer.APICACHE)) {
      throw new UsageException("--hazelcast-port and --hazelcast-members need --store hazelcast or tiered-hazelcast");
    }
    if (ceiling && store.dbGiven) {
      throw new UsageException("--ceiling answers precomputed bytes, so --db means nothing with it");
    }
    return new ServeOptions(host, port, config, layer, ceiling, store, AdminToken.read(tokenFile, environment),
        new Replicas(keyPrefix, randomPrefix, hazelcastPort, members), stopWithPid);
  }

  private static int serve(Deque<String> args) throws Exception {
    ServeOptions o = parseServe(args);
    String host = o.host();
    int port = o.port();
    Optional<Path> config = o.config();
    DemoApi.Layer layer = o.layer();
    boolean ceiling = o.ceiling();
    StoreChoice store = o.store();
    String adminToken = o.adminToken().orElseGet(AdminToken::random);
    o.stopWithPid().ifPresent(Main::exitWith);
    String where = "http://" + (host.indexOf(':') >= 0 ? "[" + host + "]" : host);
    if (ceiling) {
      DemoServers.Server server = DemoServers.ceiling(store.framework, host, port);
      System.out.println("apicache ceiling server on " + where + ":" + server.port() + "  (" + server.framework()
          + ", a precomputed body for every request; no cache, no database)");
      Thread.currentThread().join();
      return 0;
    }
    CachePolicies policies = DemoApi.policies(config);
    DemoDatabase db = DemoDatabase.open(store.db, System.out);
    SqlCatalog catalog;
    String generation;
    try {
      generation = SqlCatalog.prepare(db.jdbcUrl(), 1000, false);
      catalog = SqlCatalog.open(db.jdbcUrl(), 16);
    } catch (RuntimeException e) {
      db.close();
      throw e;
    }
    DemoApi api;
    if (layer != DemoApi.Layer.APICACHE) {
      api = DemoApi.startWithout(layer, store.framework, host, port, catalog, store.redisUrl);
    } else {
      DemoStore opened = o.replicas().open(store.kind, store.redisUrl, generation);
      api = DemoApi.start(store.framework, host, port, policies, catalog, opened, Optional.of(adminToken));
    }
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      api.close();
      catalog.close();
      db.close();
    }));
    String base = where + ":" + api.port();
    if (layer == DemoApi.Layer.NONE) {
      System.out.println("apicache demo without any cache on " + base + "  (framework: " + api.framework() + ")");
    } else if (layer == DemoApi.Layer.SEED) {
      System.out.println("the layer apicache replaces, re-implemented, on " + base + "  (Javalin, state in Redis at "
          + store.redisUrl + ")");
    } else {
      System.out.println("apicache demo listening on " + base + "  (policies: "
          + config.map(Path::toString).orElse("built-in") + "; store: " + store.kind + "; framework: "
          + api.framework() + ")");
    }
    System.out.println("  database: " + db.description() + (store.db.equals("embedded") || store.db.equals("h2")
        ? " at " + db.jdbcUrl() + "   (give it to other replicas with --db)" : ""));
    System.out.println("  try: curl -i " + base + "/api/products?category=books");
    if (layer == DemoApi.Layer.APICACHE) {
      String bearer = o.adminToken().isPresent() ? "<admin token>" : adminToken;
      System.out.println("       curl -s -H 'Authorization: Bearer " + bearer + "' " + base + DemoApi.ADMIN_PREFIX + "stats"
          + (o.adminToken().isPresent() ? "" : "   (a token of this run; give --admin-token-file to choose one)"));
    }
    Thread.currentThread().join();
    return 0;
  }

  /**
   * Exits (through the shutdown hooks) when process {@code pid} ends: a node the scenario started
   * goes with it, even when the scenario is killed outright.
   */
  private static void exitWith(long pid) {
    Optional<ProcessHandle> parent = ProcessHandle.of(pid);
    if (parent.isEmpty()) {
      System.exit(0);
    }
    parent.get().onExit().thenRun(() -> System.exit(0));
  }

  private static int scenario(Deque<String> args) throws Exception {
    Duration duration = Duration.ofSeconds(20);
    int clients = 8;
    Duration writeEvery = Duration.ofSeconds(2);
    Optional<Path> json = Optional.empty();
    boolean compare = false;
    Optional<Path> chart = Optional.empty();
    StoreChoice store = new StoreChoice();
    int nodes = 1;
    Optional<Duration> killAt = Optional.empty();
    Duration warmUp = Duration.ZERO;
    while (!args.isEmpty()) {
      String flag = args.removeFirst();
      if (store.accepts(flag, args)) {
        continue;
      }
      switch (flag) {
        case "--duration":
          duration = parseDuration(flag, value(flag, args));
          break;
        case "--clients":
          clients = parseInt(flag, value(flag, args), 1, 512);
          break;
        case "--write-every":
          writeEvery = parseDuration(flag, value(flag, args));
          break;
        case "--json":
          json = Optional.of(Path.of(value(flag, args)));
          break;
        case "--compare":
          compare = true;
          break;
        case "--chart":
          chart = Optional.of(Path.of(value(flag, args)));
          break;
        case "--nodes":
          nodes = parseInt(flag, value(flag, args), 1, 16);
          break;
        case "--kill-node-at":
          killAt = Optional.of(parseDuration(flag, value(flag, args)));
          break;
        case "--warm-up":
          warmUp = parseDuration(flag, value(flag, args));
          break;
        default:
          throw new UsageException("unknown option '" + flag + "' for scenario");
      }
    }
    if (killAt.isPresent() && killAt.get().compareTo(duration) >= 0) {
      throw new UsageException("--kill-node-at " + killAt.get().toSeconds() + " s is not within the run's "
          + duration.toSeconds() + " s");
    }
    if (compare && nodes > 1) {
      throw new UsageException("--compare runs every layer on one node; leave out --nodes");
    }
    Scenario.Options options = new Scenario.Options(duration, clients, writeEvery, 0.3, 1000, store.kind,
        store.redisUrl, store.framework).onNodes(nodes, store.db, killAt).afterWarmUp(warmUp);
    if (compare) {
      List<Scenario.Result> results = new ArrayList<>();
      results.add(new Scenario(options.with(DemoApi.Layer.NONE, DemoStore.Kind.CAFFEINE), System.out).run());
      results.add(new Scenario(options.with(DemoApi.Layer.SEED, DemoStore.Kind.CAFFEINE), System.out).run());
      // one of each kind of store; on one node a tiered store over Hazelcast answers as the one over Redis
      for (DemoStore.Kind kind : List.of(DemoStore.Kind.CAFFEINE, DemoStore.Kind.REDIS, DemoStore.Kind.TIERED,
          DemoStore.Kind.HAZELCAST)) {
        results.add(new Scenario(options.with(DemoApi.Layer.APICACHE, kind), System.out).run());
      }
      Scenario.reportComparison(results, System.out);
      if (json.isPresent()) {
        Files.write(json.get(), DemoApi.JSON.writerWithDefaultPrettyPrinter()
            .writeValueAsBytes(results.stream().map(Scenario.Result::toJson).toList()));
        System.out.println("  summary written to " + json.get());
      }
      return 0;
    }
    Scenario scenario = new Scenario(options, System.out);
    Scenario.Result result = scenario.run();
    if (chart.isPresent()) {
      ScenarioChart.write(chart.get(), "apicache scenario: " + options.label() + " on " + options.framework()
          + (options.nodes() > 1 ? ", " + options.nodes() + " nodes" : "")
          + ", " + duration.toSeconds() + " s, a write every " + writeEvery.toMillis() / 1000.0 + " s",
          scenario.samples());
      System.out.println("  chart written to " + chart.get());
    }
    Scenario.report(result, System.out);
    if (json.isPresent()) {
      Scenario.writeJson(result, json.get());
      System.out.println("  summary written to " + json.get());
    }
    return 0;
  }

  static String value(String flag, Deque<String> args) {
    if (args.isEmpty()) {
      throw new UsageException(flag + " needs a value");
    }
    return args.removeFirst();
  }

  private static int parsePort(String text) {
    return parseInt("--port", text, 0, 65_535);
  }

  static int parseInt(String flag, String text, int min, int max) {
    try {
      int n = Integer.parseInt(text);
      if (n < min || n > max) {
        throw new UsageException(flag + " must be in [" + min + ", " + max + "] but was " + n);
      }
      return n;
    } catch (NumberFormatException e) {
      throw new UsageException(flag + " must be a number but was '" + text + "'");
    }
  }

  static Duration parseDuration(String flag, String text) {
    try {
      Duration d = dev.apicache.PolicyFile.parseDuration(text);
      if (d.isZero()) {
        throw new UsageException(flag + " must be > 0");
      }
      return d;
    } catch (IllegalArgumentException e) {
      throw new UsageException(flag + ": " + e.getMessage());
    }
  }

  /** The {@code --store}, {@code --redis-url} and {@code --framework} options both modes take. */
  static final class StoreChoice {
    DemoStore.Kind kind = DemoStore.Kind.CAFFEINE;
    String redisUrl = DEFAULT_REDIS;
    DemoApi.Framework framework = DemoApi.Framework.JAVALIN;
    String db = "embedded";
    boolean storeGiven;
    boolean redisUrlGiven;
    boolean dbGiven;

    /** Takes {@code flag} (and its value) if it is one of these options. */
    boolean accepts(String flag, Deque<String> args) {
      if (flag.equals("--db")) {
        db = value(flag, args);
        dbGiven = true;
        return true;
      }
      if (flag.equals("--framework")) {
        framework = DemoApi.Framework.parse(value(flag, args));
        return true;
      }
      if (flag.equals("--store")) {
        kind = DemoStore.Kind.parse(value(flag, args));
        storeGiven = true;
        return true;
      }
      if (flag.equals("--redis-url")) {
        redisUrl = value(flag, args);
        redisUrlGiven = true;
        return true;
      }
      return false;
    }
  }

  /** A command line that cannot be run; the message says why. */
  static final class UsageException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    UsageException(String message) {
      super(message);
    }
  }
}
