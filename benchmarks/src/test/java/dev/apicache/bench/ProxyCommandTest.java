package dev.apicache.bench;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import dev.apicache.store.redis.RedisProcess;
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
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code ./apicache proxy}: its command line, and a started proxy in front of a real HTTP server. */
class ProxyCommandTest {
  private static ProxyCommand.Options parse(Map<String, String> env, String... args) {
    return ProxyCommand.parse(new ArrayDeque<>(List.of(args)), env);
  }

  @Test
  void badCommandLines_getOneClearLine(@TempDir Path dir) throws Exception {
    Path shortToken = dir.resolve("short");
    Files.writeString(shortToken, "abc\n");
    String[][] cases = {
        {"proxy needs --upstream"},
        {"must start with http:// or https://", "--upstream", "localhost:3000"},
        {"scheme, host and port only", "--upstream", "http://127.0.0.1:3000/api"},
        {"--framework is for serve and scenario", "--upstream", "http://h:1", "--framework", "javalin"},
        {"--redis-url means nothing with --store caffeine", "--upstream", "http://h:1", "--redis-url", "redis://r:1"},
        {"--timeout must be > 0", "--upstream", "http://h:1", "--timeout", "0s"},
        {"does not exist", "--upstream", "http://h:1", "--admin-token-file", dir.resolve("none").toString()},
        {"at least 16 characters", "--upstream", "http://h:1", "--admin-token-file", shortToken.toString()},
        {"unknown option '--bogus'", "--upstream", "http://h:1", "--bogus"},
    };
    for (String[] c : cases) {
      String[] args = Arrays.copyOfRange(c, 1, c.length);
      Main.UsageException e = assertThrows(Main.UsageException.class, () -> parse(Map.of(), args), c[0]);
      assertTrue(e.getMessage().contains(c[0]), e.getMessage());
      assertTrue(!e.getMessage().contains("\n"), e.getMessage());
    }
  }

  @Test
  void theAdminToken_comesFromAFileOrTheEnvironment_andIsOffWithout(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("token");
    Files.writeString(file, "from-a-file-0123456789\n");
    assertEquals("from-a-file-0123456789",
        parse(Map.of(), "--upstream", "http://h:1", "--admin-token-file", file.toString()).adminToken().orElseThrow());
    assertEquals("from-the-environment-01",
        parse(Map.of(AdminToken.VARIABLE, "from-the-environment-01"), "--upstream", "http://h:1")
            .adminToken().orElseThrow());
    assertTrue(parse(Map.of(), "--upstream", "http://h:1").adminToken().isEmpty());
  }

  /** A real HTTP server whose every answer is good for a minute and names its version. */
  private static HttpServer upstream(AtomicInteger calls, AtomicInteger version) throws Exception {
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
    return upstream;
  }

  private static HttpResponse<String> send(HttpClient client, URI target, String method) throws Exception {
    return client.send(HttpRequest.newBuilder(target).method(method, HttpRequest.BodyPublishers.noBody()).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void aStartedProxy_cachesWhatTheUpstreamMarksCacheable() throws Exception {
    AtomicInteger calls = new AtomicInteger();
    HttpServer upstream = upstream(calls, new AtomicInteger(1));
    try (ProxyCommand.Running running = ProxyCommand.start(
        parse(Map.of(), "--upstream", "http://127.0.0.1:" + upstream.getAddress().getPort(), "--port", "0"))) {
      HttpClient client = HttpClient.newHttpClient();
      URI target = URI.create(running.proxy().address() + "/api/products?page=1");
      HttpResponse<String> miss = send(client, target, "GET");
      HttpResponse<String> hit = send(client, target, "GET");
      assertEquals("MISS", miss.headers().firstValue("X-Cache").orElse(""));
      assertEquals("HIT", hit.headers().firstValue("X-Cache").orElse(""));
      assertEquals("{\"path\":\"/api/products\",\"v\":1}", hit.body());
      assertEquals(1, calls.get());
    } finally {
      upstream.stop(0);
    }
  }

  /** {@code --no-x-cache --no-cache-status}: the proxy still caches, and says nothing of it, writes included. */
  @Test
  void noStatusFields_leavesBothOffEveryResponse() throws Exception {
    AtomicInteger calls = new AtomicInteger();
    HttpServer upstream = upstream(calls, new AtomicInteger(1));
    try (ProxyCommand.Running running = ProxyCommand.start(parse(Map.of(), "--upstream",
        "http://127.0.0.1:" + upstream.getAddress().getPort(), "--port", "0", "--no-x-cache", "--no-cache-status"))) {
      HttpClient client = HttpClient.newHttpClient();
      URI target = URI.create(running.proxy().address() + "/api/products?page=2");
      for (String method : new String[] {"GET", "GET", "POST"}) {
        HttpResponse<String> r = send(client, target, method);
        assertTrue(r.headers().firstValue("X-Cache").isEmpty() && r.headers().firstValue("Cache-Status").isEmpty(),
            method + ": " + r.headers().map());
      }
      assertEquals(2, calls.get(), "one GET reached the upstream, then the POST");
    } finally {
      upstream.stop(0);
    }
  }

  @Test
  void twoProxiesOnOneRedis_shareEntries_andAWriteThroughOneInvalidatesBoth() throws Exception {
    AtomicInteger calls = new AtomicInteger();
    AtomicInteger version = new AtomicInteger(1);
    HttpServer upstream = upstream(calls, version);
    String[] args = {"--upstream", "http://127.0.0.1:" + upstream.getAddress().getPort(), "--port", "0",
        "--store", "redis", "--redis-url", RedisProcess.shared().uri()};
    try (ProxyCommand.Running a = ProxyCommand.start(parse(Map.of(), args));
        ProxyCommand.Running b = ProxyCommand.start(parse(Map.of(), args))) {
      HttpClient client = HttpClient.newHttpClient();
      String path = "/api/items/" + UUID.randomUUID();
      URI onA = URI.create(a.proxy().address() + path);
      URI onB = URI.create(b.proxy().address() + path);
      await("() -> { send(client, onA, \"GET\"); // until the store is connected, the proxy fails open...")
          .atMost(Duration.ofSeconds(60)).until(() -> {
        send(client, onA, "GET"); // until the store is connected, the proxy fails open and stores nothing
        return "HIT".equals(send(client, onB, "GET").headers().firstValue("X-Cache").orElse(""));
      });
      int before = calls.get();
      version.set(2);
      assertEquals(200, send(client, onA, "POST").statusCode());
      assertTrue(send(client, onB, "GET").body().contains("\"v\":2"), "the write through A reached B");
      assertEquals(before + 2, calls.get(), "the POST, then one fill");
    } finally {
      upstream.stop(0);
    }
  }
}
