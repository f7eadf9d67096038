package dev.apicache.proxy.server;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import dev.apicache.store.redis.testing.RedisProcess;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The program's parts in one JVM, in front of a real HTTP server (the JDK's client, which offers
 * h2c on its first request, as a real client): caching, the admin token's sources, the status
 * fields switched off, and two proxies sharing one real Redis.
 */
class ProxyProgramTest {
  private final List<ProxyMain.Running> started = new ArrayList<>();
  private final List<HttpServer> upstreams = new ArrayList<>();
  private final HttpClient client = HttpClient.newHttpClient();
  private final AtomicInteger calls = new AtomicInteger();
  private final AtomicInteger version = new AtomicInteger(1);

  @AfterEach
  void stop() {
    started.forEach(r -> r.drain(new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8)));
    upstreams.forEach(u -> u.stop(0));
    client.close();
  }

  /** A real HTTP server whose every answer is good for a minute and names its version. */
  private String upstream() throws Exception {
    HttpServer upstream = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    upstream.createContext("/", exchange -> {
      calls.incrementAndGet();
      exchange.getRequestBody().readAllBytes();
      byte[] body = ("{\"path\":\"" + exchange.getRequestURI().getPath() + "\",\"v\":" + version.get() + "}")
          .getBytes(StandardCharsets.UTF_8);
      exchange.getResponseHeaders().add("Cache-Control", "public, max-age=60");
      exchange.getResponseHeaders().add("Content-Type", "application/json");
      exchange.sendResponseHeaders(200, body.length);
      exchange.getResponseBody().write(body);
      exchange.close();
    });
    upstream.start();
    upstreams.add(upstream);
    return "http://127.0.0.1:" + upstream.getAddress().getPort();
  }

  private ProxyMain.Running start(Map<String, String> env, String... args) {
    List<String> all = new ArrayList<>(List.of("--port", "0", "--management-port", "-1", "--access-log", "off"));
    all.addAll(List.of(args));
    ProxyMain.Running r = ProxyMain.Running.start(Settings.parse(all, env),
        new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8));
    started.add(r);
    return r;
  }

  private HttpResponse<String> send(URI target, String method) throws Exception {
    return client.send(HttpRequest.newBuilder(target).method(method, HttpRequest.BodyPublishers.noBody()).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void aStartedProxy_cachesWhatTheUpstreamMarksCacheable() throws Exception {
    ProxyMain.Running running = start(Map.of(), "--upstream", upstream());
    URI target = URI.create(running.proxy.address() + "/api/products?page=1");
    HttpResponse<String> miss = send(target, "GET");
    HttpResponse<String> hit = send(target, "GET");
    assertEquals("MISS", miss.headers().firstValue("X-Cache").orElse(""));
    assertEquals("HIT", hit.headers().firstValue("X-Cache").orElse(""));
    assertEquals("{\"path\":\"/api/products\",\"v\":1}", hit.body());
    assertEquals(1, calls.get());
  }

  @Test
  void theAdminToken_comesFromAFileOrTheEnvironment_andIsOffWithout(@TempDir Path dir) throws Exception {
    Path file = Files.writeString(dir.resolve("token"), "from-a-file-0123456789\n");
    String upstream = upstream();
    assertEquals("from-a-file-0123456789", Settings.parse(List.of("--upstream", upstream, "--admin-token-file",
        file.toString()), Map.of()).adminToken().orElseThrow());
    ProxyMain.Running withToken = start(Map.of("APICACHE_ADMIN_TOKEN", "from-the-environment-01"), "--upstream",
        upstream);
    assertTrue(withToken.proxy.adminEnabled());
    HttpResponse<String> stats = client.send(HttpRequest.newBuilder(URI.create(withToken.proxy.address()
        + "/_apicache/stats")).header("Authorization", "Bearer from-the-environment-01").build(),
        HttpResponse.BodyHandlers.ofString());
    assertEquals(200, stats.statusCode());
    assertTrue(!start(Map.of(), "--upstream", upstream).proxy.adminEnabled());
  }

  /** {@code --no-x-cache --no-cache-status}: the proxy still caches, and says nothing of it, writes included. */
  @Test
  void noStatusFields_leavesBothOffEveryResponse() throws Exception {
    ProxyMain.Running running = start(Map.of(), "--upstream", upstream(), "--no-x-cache", "--no-cache-status");
    URI target = URI.create(running.proxy.address() + "/api/products?page=2");
    for (String method : new String[] {"GET", "GET", "POST"}) {
      HttpResponse<String> r = send(target, method);
      assertTrue(r.headers().firstValue("X-Cache").isEmpty() && r.headers().firstValue("Cache-Status").isEmpty(),
          method + ": " + r.headers().map());
    }
    assertEquals(2, calls.get(), "one GET reached the upstream, then the POST");
  }

  @Test
  void twoProxiesOnOneRedis_shareEntries_andAWriteThroughOneInvalidatesBoth() throws Exception {
    try (RedisProcess redis = RedisProcess.start()) {
      String[] args = {"--upstream", upstream(), "--store", "redis", "--redis-url", redis.uri()};
      ProxyMain.Running a = start(Map.of(), args);
      ProxyMain.Running b = start(Map.of(), args);
      String path = "/api/items/" + UUID.randomUUID();
      URI onA = URI.create(a.proxy.address() + path);
      URI onB = URI.create(b.proxy.address() + path);
      await("a fill through A is a hit through B").atMost(Duration.ofSeconds(60)).until(() -> {
        send(onA, "GET"); // until the store is connected, the proxy fails open and stores nothing
        return "HIT".equals(send(onB, "GET").headers().firstValue("X-Cache").orElse(""));
      });
      int before = calls.get();
      version.set(2);
      assertEquals(200, send(onA, "POST").statusCode());
      assertTrue(send(onB, "GET").body().contains("\"v\":2"), "the write through A reached B");
      assertEquals(before + 2, calls.get(), "the POST, then one fill");
      stop();
      started.clear();
      upstreams.clear();
    }
  }
}
