package dev.apicache.proxy.server;

import dev.apicache.CacheEngine;
import dev.apicache.CachePolicies;
import dev.apicache.PolicyConfigException;
import dev.apicache.PolicyFile;
import dev.apicache.micrometer.ApiCacheMetrics;
import dev.apicache.proxy.ApiCacheProxy;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import org.jspecify.annotations.Nullable;

/**
 * {@code apicache-proxy}: the caching reverse proxy as a program. Settings come from flags, the
 * environment and a settings file ({@code --help} lists them). It exits 2 on a bad setting and 1
 * when it cannot start (a taken port, an unreadable policy file), each with one line on standard
 * error. On SIGTERM (or SIGINT) it stops accepting, reports not ready, lets requests in progress
 * finish within the drain timeout, and exits.
 *
 * @since 0.1
 */
public final class ProxyMain {
  private ProxyMain() {}

  /** Runs the proxy until the process is told to stop. */
  public static void main(String[] args) throws Exception {
    if (args.length == 1 && args[0].equals("--aot-training")) {
      Training.run(System.out); // the distribution's build runs this once to make its start-up cache
      return;
    }
    if (Arrays.asList(args).contains("--help") || Arrays.asList(args).contains("-h")) {
      System.out.print(usage());
      return;
    }
    int status = start(Arrays.asList(args), System.getenv(), System.out, System.err);
    if (status != 0) {
      System.exit(status);
    }
    new CountDownLatch(1).await(); // the shutdown hook drains, then the JVM exits
  }

  /** Starts the proxy and a shutdown hook that drains it; returns 0, or the exit status of a failed start. */
  static int start(List<String> args, Map<String, String> environment, PrintStream out, PrintStream err) {
    Settings s;
    try {
      s = Settings.parse(args, environment);
    } catch (Settings.SettingsException e) {
      err.println("apicache-proxy: " + e.getMessage());
      return 2;
    }
    Running running;
    try {
      running = Running.start(s, out);
    } catch (PolicyConfigException | UncheckedIOException | IllegalArgumentException e) {
      err.println("apicache-proxy: " + firstLine(e.getMessage()));
      return 1;
    }
    Runtime.getRuntime().addShutdownHook(new Thread(() -> running.drain(out), "apicache-proxy-drain"));
    out.println("apicache-proxy on " + running.proxy.address() + " -> " + s.upstream() + " (store " + s.store()
        + ", " + running.proxy.transport() + ", " + s.policies().map(p -> "policies " + p).orElse("origin-directed: the upstream's Cache-Control decides")
        + ")" + (running.management == null ? "" : "; health and metrics on http://" + s.managementHost() + ":"
        + running.management.port()));
    out.flush();
    return 0;
  }

  /** A started proxy with everything it owns. */
  static final class Running {
    final ApiCacheProxy proxy;
    final @Nullable Management management;
    private final CacheEngine engine;
    private final List<AutoCloseable> resources;
    private final Settings settings;

    private Running(ApiCacheProxy proxy, @Nullable Management management, CacheEngine engine, List<AutoCloseable> resources,
        Settings settings) {
      this.proxy = proxy;
      this.management = management;
      this.engine = engine;
      this.resources = resources;
      this.settings = settings;
    }

    static Running start(Settings s, PrintStream out) {
      CachePolicies policies = s.policies().map(f -> PolicyFile.load(f, Map.of()))
          .orElseGet(ApiCacheProxy::originDirectedPolicies);
      ProxyStores.Opened store = ProxyStores.open(s);
      List<AutoCloseable> resources = new ArrayList<>(store.resources());
      CacheEngine engine = CacheEngine.builder(policies, store.store()).xCacheHeader(s.xCache())
          .cacheStatusHeader(s.cacheStatus()).honourClientCacheControl(s.honourClientCacheControl()).build();
      ApiCacheProxy proxy = null;
      try {
        PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        ApiCacheMetrics.of(engine, "apicache").bindTo(registry);
        new JvmMemoryMetrics().bindTo(registry);
        new JvmThreadMetrics().bindTo(registry);
        new ProcessorMetrics().bindTo(registry);
        JvmGcMetrics gc = new JvmGcMetrics();
        gc.bindTo(registry);
        resources.add(gc);
        ApiCacheProxy.Builder b = ApiCacheProxy.builder(s.upstream(), engine).host(s.host()).port(s.port())
            .connectTimeout(s.connectTimeout()).responseTimeout(s.timeout()).idleTimeout(s.idleTimeout())
            .upstreamIdleTimeout(s.upstreamIdleTimeout()).drainTimeout(s.drainTimeout()).ioThreads(s.ioThreads());
        s.adminToken().ifPresent(b::adminToken);
        if (s.accessLog() != AccessLog.Format.OFF) {
          AccessLog log = new AccessLog(s.accessLog(), out);
          resources.add(log); // closed after the proxy has stopped: every request's line is queued by then
          b.requestListener(log);
        }
        proxy = b.start();
        ApiCacheProxy started = proxy;
        Management management = s.managementPort() < 0 ? null
            : Management.start(s.managementHost(), s.managementPort(), started::accepting, registry);
        return new Running(proxy, management, engine, resources, s);
      } catch (RuntimeException e) {
        if (proxy != null) {
          proxy.stop(java.time.Duration.ZERO);
        }
        engine.close();
        closeAll(resources);
        throw e;
      }
    }

    /** Stops accepting, finishes requests in progress within the drain timeout, then closes everything. */
    void drain(PrintStream out) {
      int inProgress = proxy.requestsInProgress();
      boolean finished = proxy.stop(settings.drainTimeout());
      out.println("apicache-proxy stopped: " + inProgress + " request(s) were in progress, "
          + (finished ? "all finished" : "some cut off after " + settings.drainTimeout().toSeconds() + " s"));
      out.flush();
      if (management != null) {
        management.close();
      }
      engine.close();
      closeAll(resources);
    }

    private static void closeAll(List<AutoCloseable> resources) {
      for (AutoCloseable r : resources.reversed()) {
        try {
          r.close();
        } catch (Exception ignored) {
          // closing on the way out: nothing left to tell
        }
      }
    }
  }

  private static String firstLine(@Nullable String s) {
    if (s == null) {
      return "";
    }
    int nl = s.indexOf('\n');
    return nl < 0 ? s : s.substring(0, nl);
  }

  static String usage() {
    StringBuilder b = new StringBuilder("""
        usage: apicache-proxy --upstream http://HOST:PORT [--SETTING VALUE ...]
          A caching reverse proxy in front of any HTTP service. Every setting is a flag, an environment
          variable (APICACHE_ and the name in capitals, - as _) or a line 'name = value' of the file that
          --settings FILE (or APICACHE_SETTINGS) names; flags win over the environment, which wins over
          the file. JVM options go in APICACHE_JAVA_OPTS.

        """);
    Settings.NAMES.forEach((name, v) -> b.append(String.format("  --%-28s %s%s%n", name, v[1],
        v[0].isEmpty() ? "" : " (default " + v[0] + ")")));
    b.append("  --no-x-cache, --no-cache-status  leave those fields off every response\n");
    return b.toString();
  }
}
