package dev.apicache.bench;

import dev.apicache.CacheEngine;
import dev.apicache.CachePolicies;
import dev.apicache.PolicyFile;
import dev.apicache.proxy.ApiCacheProxy;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Deque;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/** {@code ./apicache proxy}: the engine as a caching reverse proxy in front of any HTTP service. */
final class ProxyCommand {
  static final String USAGE =
      "  apicache proxy    --upstream http://127.0.0.1:3000 [--host 127.0.0.1] [--port 8080] [--config FILE]\n"
      + "                    [--store caffeine|redis|tiered|hazelcast|tiered-hazelcast] [--redis-url URL] [--connect-timeout 2s]\n"
      + "                    [--timeout 30s] [--admin-token-file FILE]   (or APICACHE_ADMIN_TOKEN in the environment)\n"
      + "                    [--no-x-cache] [--no-cache-status]   (leave those fields off every response)\n";

  /** What {@code proxy} was asked to run. */
  record Options(URI upstream, String host, int port, Optional<Path> config, DemoStore.Kind store, String redisUrl,
      Duration connectTimeout, Duration timeout, Optional<String> adminToken, boolean xCache, boolean cacheStatus) {}

  /** A started proxy with the engine and store it owns. */
  record Running(ApiCacheProxy proxy, CacheEngine engine) implements AutoCloseable {
    @Override
    public void close() {
      proxy.close();
      engine.close();
    }
  }

  private ProxyCommand() {}

  /** Parses the options of {@code proxy}; {@code environment} supplies the admin token when no file does. */
  static Options parse(Deque<String> args, Map<String, String> environment) {
    Optional<URI> upstream = Optional.empty();
    String host = "127.0.0.1";
    int port = 8080;
    Optional<Path> config = Optional.empty();
    DemoStore.Kind store = DemoStore.Kind.CAFFEINE;
    String redisUrl = "redis://127.0.0.1:6379";
    boolean redisUrlGiven = false;
    Duration connectTimeout = Duration.ofSeconds(2);
    Duration timeout = Duration.ofSeconds(30);
    Optional<Path> tokenFile = Optional.empty();
    boolean xCache = true;
    boolean cacheStatus = true;
    while (!args.isEmpty()) {
      String flag = args.removeFirst();
      switch (flag) {
        case "--upstream":
          try {
            upstream = Optional.of(ApiCacheProxy.parseUpstream(Main.value(flag, args)));
          } catch (IllegalArgumentException e) {
            throw new Main.UsageException(e.getMessage());
          }
          break;
        case "--host":
          host = Main.value(flag, args);
          break;
        case "--port":
          port = Main.parseInt(flag, Main.value(flag, args), 0, 65_535);
          break;
        case "--config":
          config = Optional.of(Path.of(Main.value(flag, args)));
          break;
        case "--store":
          store = DemoStore.Kind.parse(Main.value(flag, args));
          break;
        case "--redis-url":
          redisUrl = Main.value(flag, args);
          redisUrlGiven = true;
          break;
        case "--connect-timeout":
          connectTimeout = Main.parseDuration(flag, Main.value(flag, args));
          break;
        case "--timeout":
          timeout = Main.parseDuration(flag, Main.value(flag, args));
          break;
        case "--admin-token-file":
          tokenFile = Optional.of(Path.of(Main.value(flag, args)));
          break;
        case "--no-x-cache":
          xCache = false;
          break;
        case "--no-cache-status":
          cacheStatus = false;
          break;
        case "--framework":
          throw new Main.UsageException("the proxy runs on Helidon SE; --framework is for serve and scenario");
        default:
          throw new Main.UsageException("unknown option '" + flag + "' for proxy");
      }
    }
    if (upstream.isEmpty()) {
      throw new Main.UsageException("proxy needs --upstream, the service to cache (such as http://127.0.0.1:3000)");
    }
    if (redisUrlGiven && !store.usesRedis()) {
      throw new Main.UsageException("--redis-url means nothing with --store " + store);
    }
    return new Options(upstream.get(), host, port, config, store, redisUrl, connectTimeout, timeout,
        AdminToken.read(tokenFile, environment), xCache, cacheStatus);
  }

  /** Starts the proxy {@code o} describes. */
  static Running start(Options o) {
    CachePolicies policies = o.config().map(f -> PolicyFile.load(f, Map.of()))
        .orElseGet(ApiCacheProxy::originDirectedPolicies);
    // a fixed prefix: proxies given the same Redis share entries and invalidations, as replicas should
    DemoStore store = DemoStore.open(o.store(), o.redisUrl(), "apicache:proxy:", DemoStore.HazelcastJoin.alone());
    CacheEngine engine = CacheEngine.builder(policies, store.store()).xCacheHeader(o.xCache())
        .cacheStatusHeader(o.cacheStatus()).build();
    try {
      ApiCacheProxy.Builder b = ApiCacheProxy.builder(o.upstream(), engine).host(o.host()).port(o.port())
          .connectTimeout(o.connectTimeout()).responseTimeout(o.timeout());
      o.adminToken().ifPresent(b::adminToken);
      return new Running(b.start(), engine);
    } catch (RuntimeException e) {
      engine.close();
      throw e;
    }
  }

  static int run(Deque<String> args) throws InterruptedException {
    configureHttpClient();
    Options o = parse(args, System.getenv());
    Running running = start(o);
    Runtime.getRuntime().addShutdownHook(new Thread(running::close));
    ApiCacheProxy proxy = running.proxy();
    System.out.println("apicache proxy on " + proxy.address() + " -> " + proxy.upstream() + "  (policies: "
        + o.config().map(Path::toString).orElse("origin-directed on every route: the upstream's Cache-Control decides")
        + "; store: " + o.store() + ")");
    System.out.println("  admin: " + (proxy.adminEnabled()
        ? "POST " + proxy.address() + "/_apicache/invalidate?event=...|tag=... with Authorization: Bearer <token>"
        : "off (give --admin-token-file or " + AdminToken.VARIABLE + " to turn it on)"));
    if (!answers(proxy.upstream())) {
      System.out.println("  note: nothing answers at " + proxy.upstream() + " yet; requests get 502 until it does");
    }
    System.out.println("  try: curl -i " + proxy.address() + "/");
    Thread.currentThread().join();
    return 0;
  }

  /**
   * Settings of the JDK HTTP client, read once when its classes load, so this must run before any
   * of them does: the client may send the client's {@code Host} to the upstream, and closes a
   * pooled connection after 4 idle seconds (unless the JVM was told otherwise), before a Node
   * upstream's 5 s keep-alive timeout closes it under a request. The client never retries an
   * unsafe request, so a write sent on a connection the upstream was closing would get a 502.
   */
  static void configureHttpClient() {
    String key = "jdk.httpclient.allowRestrictedHeaders";
    String current = System.getProperty(key, "");
    if (!current.toLowerCase(Locale.ROOT).contains("host")) {
      System.setProperty(key, current.isBlank() ? "host" : current + ",host");
    }
    if (System.getProperty("jdk.httpclient.keepalive.timeout") == null) {
      System.setProperty("jdk.httpclient.keepalive.timeout", "4");
    }
  }

  private static boolean answers(URI upstream) {
    int port = upstream.getPort() >= 0 ? upstream.getPort() : upstream.getScheme().equals("https") ? 443 : 80;
    try (Socket s = new Socket()) {
      s.connect(new InetSocketAddress(upstream.getHost(), port), 500);
      return true;
    } catch (IOException e) {
      return false;
    }
  }
}
