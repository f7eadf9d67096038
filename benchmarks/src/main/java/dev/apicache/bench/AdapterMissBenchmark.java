package dev.apicache.bench;

import dev.apicache.CacheEngine;
import dev.apicache.CachePolicies;
import dev.apicache.CachePolicy;
import dev.apicache.adapter.helidon.ApiCacheFeature;
import dev.apicache.adapter.javalin.ApiCachePlugin;
import dev.apicache.adapter.servlet.ApiCacheFilter;
import dev.apicache.store.caffeine.CaffeineStore;
import io.helidon.webserver.WebServer;
import io.helidon.webserver.http1.Http1Config;
import io.javalin.Javalin;
import jakarta.servlet.DispatcherType;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.eclipse.jetty.ee10.servlet.FilterHolder;
import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.eclipse.jetty.ee10.servlet.ServletHolder;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The latency of a miss through each framework adapter, over a real server and a real HTTP client
 * on loopback, against the same server answering a URL no policy covers (the cache stays out, the
 * handler answers). The difference is what a miss costs on top of the application: admission, the
 * fill (in place, or a loopback call where the adapter still makes one), the ETag, the store.
 * Uses only the adapters' public API, so the same file measures any version.
 *
 * <p>Run: {@code ./apicache bench AdapterMissBenchmark}
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 8, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
@State(Scope.Benchmark)
public class AdapterMissBenchmark {
  private static final byte[] BODY = new byte[1024];

  static {
    Arrays.fill(BODY, (byte) 'x');
  }

  @Param({"servlet", "javalin", "helidon"})
  public String framework;

  private CacheEngine engine;
  private AutoCloseable server;
  private HttpClient client;
  private String base;
  private final AtomicLong next = new AtomicLong();

  @Setup
  public void setUp() throws Exception {
    CachePolicies policies = CachePolicies.builder()
        .add(CachePolicy.forRoute("/cached/{id}").ttl(Duration.ofHours(1)).build())
        .build();
    engine = CacheEngine.builder(policies, CaffeineStore.builder().maximumBytes(1L << 30).build()).build();
    int port = switch (framework) {
      case "servlet" -> servlet();
      case "javalin" -> javalin();
      case "helidon" -> helidon();
      default -> throw new IllegalArgumentException(framework);
    };
    base = "http://127.0.0.1:" + port;
    client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
  }

  private int servlet() throws Exception {
    Server jetty = new Server();
    ServerConnector connector = new ServerConnector(jetty);
    connector.setHost("127.0.0.1");
    jetty.addConnector(connector);
    ServletContextHandler context = new ServletContextHandler();
    context.addFilter(new FilterHolder(ApiCacheFilter.create(engine)), "/*", EnumSet.of(DispatcherType.REQUEST));
    context.addServlet(new ServletHolder(new HttpServlet() {
      @Override
      protected void service(HttpServletRequest req, HttpServletResponse res) throws IOException {
        res.setContentType("application/json");
        res.setContentLength(BODY.length);
        res.getOutputStream().write(BODY);
      }
    }), "/*");
    jetty.setHandler(context);
    jetty.start();
    server = jetty::stop;
    return connector.getLocalPort();
  }

  private int javalin() {
    Javalin javalin = Javalin.create(config -> {
      config.jetty.host = "127.0.0.1";
      config.startup.showJavalinBanner = false;
      config.registerPlugin(ApiCachePlugin.create(engine));
      config.routes.get("/<path>", ctx -> ctx.contentType("application/json").result(BODY));
    }).start(0);
    server = javalin::stop;
    return javalin.port();
  }

  private int helidon() {
    WebServer helidon = WebServer.builder()
        .host("127.0.0.1")
        .port(0)
        .addProtocol(Http1Config.builder().name("http_1_1").addSendListener(ApiCacheFeature.notModifiedListener())
            .build())
        .routing(routing -> routing
            .addFeature(ApiCacheFeature.create(engine))
            .get("/*", (req, res) -> {
              res.header("Content-Type", "application/json");
              res.send(BODY);
            }))
        .build()
        .start();
    server = helidon::stop;
    return helidon.port();
  }

  @TearDown
  public void tearDown() throws Exception {
    client.close();
    server.close();
    engine.close();
  }

  private int get(String path) throws Exception {
    HttpResponse<byte[]> r = client.send(HttpRequest.newBuilder(URI.create(base + path)).build(),
        HttpResponse.BodyHandlers.ofByteArray());
    if (r.statusCode() != 200 || r.body().length != BODY.length) {
      throw new IllegalStateException(path + " answered " + r.statusCode());
    }
    return r.body().length;
  }

  /** A miss: a URL never asked before, so the adapter fills it from the handler and stores it. */
  @Benchmark
  public int miss() throws Exception {
    return get("/cached/" + next.incrementAndGet());
  }

  /** The baseline: the same server and handler, a URL no policy covers, so the cache stays out. */
  @Benchmark
  public int uncached() throws Exception {
    return get("/plain/" + next.incrementAndGet());
  }
}
