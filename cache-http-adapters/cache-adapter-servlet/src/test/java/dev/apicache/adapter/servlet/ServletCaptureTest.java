package dev.apicache.adapter.servlet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.apicache.CacheEngine;
import dev.apicache.CachePolicies;
import dev.apicache.CachePolicy;
import dev.apicache.store.caffeine.CaffeineStore;
import jakarta.servlet.AsyncContext;
import jakarta.servlet.http.Cookie;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.io.OutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/** How the filter captures what servlets write, each way a servlet can write it, on embedded Jetty. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ServletCaptureTest {
  private final AtomicInteger calls = new AtomicInteger();
  private CacheEngine engine;
  private JettyServer server;
  private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

  @FunctionalInterface
  private interface Get {
    void get(HttpServletRequest req, HttpServletResponse res) throws IOException;
  }

  /** A servlet whose doGet counts its calls and runs {@code g}; HEAD goes through HttpServlet's own doHead. */
  private HttpServlet servlet(Get g) {
    return new HttpServlet() {
      @Override
      protected void doGet(HttpServletRequest req, HttpServletResponse res) throws IOException {
        calls.incrementAndGet();
        g.get(req, res);
      }
    };
  }

  @BeforeAll
  void start() throws Exception {
    engine = CacheEngine.builder(CachePolicies.builder()
        .add(CachePolicy.forRoute("/c/**").ttl(Duration.ofMinutes(1)).maxBodyBytes(64 * 1024).build()).build(),
        CaffeineStore.builder().build()).build();
    server = JettyServer.start(ApiCacheFilter.create(engine), Map.of(
        "/c/writer", servlet((req, res) -> {
          res.setContentType("text/plain;charset=UTF-8");
          res.getWriter().print("héllo € " + calls.get());
        }),
        "/c/latin1", servlet((req, res) -> {
          res.setContentType("text/plain");
          res.setCharacterEncoding("ISO-8859-1");
          res.getWriter().print("café");
        }),
        "/c/stream", servlet((req, res) -> {
          res.setContentType("application/octet-stream");
          res.setContentLength(5);
          res.getOutputStream().write(new byte[] {1, 2, 3, 4, 5});
          res.flushBuffer();
        }),
        "/c/missing", servlet((req, res) -> res.sendError(404, "no such thing")),
        "/c/moved", servlet((req, res) -> res.sendRedirect("/c/writer")),
        "/c/cookie", servlet((req, res) -> {
          Cookie c = new Cookie("session", "s" + calls.get());
          c.setHttpOnly(true);
          res.addCookie(c);
          res.getWriter().print("personal");
        }),
        "/c/large", servlet((req, res) -> {
          res.setContentType("application/octet-stream");
          OutputStream out = res.getOutputStream();
          byte[] chunk = new byte[8192];
          for (int i = 0; i < 128; i++) { // 1 MiB, sixteen times the policy's limit
            java.util.Arrays.fill(chunk, (byte) i);
            out.write(chunk);
          }
        }),
        "/c/async", servlet((req, res) -> {
          AsyncContext async = req.startAsync();
          async.start(() -> {
            try {
              async.getResponse().setContentType("text/plain");
              async.getResponse().getWriter().print("written later");
            } catch (IOException e) {
              throw new IllegalStateException(e);
            } finally {
              async.complete();
            }
          });
        })));
  }

  @AfterAll
  void stop() {
    server.close();
    engine.close();
  }

  private HttpResponse<byte[]> get(String path, String method) throws Exception {
    return http.send(HttpRequest.newBuilder(URI.create(server.baseUri() + path))
        .method(method, HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofByteArray());
  }

  private HttpResponse<byte[]> get(String path) throws Exception {
    return get(path, "GET");
  }

  private static String xCache(HttpResponse<?> r) {
    return r.headers().firstValue("X-Cache").orElse("");
  }

  @Test
  void writerOutput_isStoredInItsCharsetAndServedByteForByte() throws Exception {
    HttpResponse<byte[]> first = get("/c/writer");
    HttpResponse<byte[]> hit = get("/c/writer");
    assertEquals("HIT", xCache(hit));
    assertEquals(new String(first.body(), StandardCharsets.UTF_8), new String(hit.body(), StandardCharsets.UTF_8));
    assertTrue(new String(hit.body(), StandardCharsets.UTF_8).startsWith("héllo €"));
    assertTrue(hit.headers().firstValue("Content-Type").orElseThrow().equalsIgnoreCase("text/plain;charset=UTF-8"));
    HttpResponse<byte[]> latin = get("/c/latin1");
    assertEquals("café", new String(latin.body(), StandardCharsets.ISO_8859_1));
    assertEquals(4, latin.body().length);
  }

  @Test
  void streamWithExplicitLengthAndFlush_isCapturedWhole() throws Exception {
    get("/c/stream");
    HttpResponse<byte[]> hit = get("/c/stream");
    assertEquals("HIT", xCache(hit));
    assertEquals("5", hit.headers().firstValue("Content-Length").orElseThrow());
    assertEquals(5, hit.body().length);
    assertEquals(5, hit.body()[4]);
  }

  @Test
  void head_runsTheServletsGetAndAnswersWithoutBody() throws Exception {
    HttpResponse<byte[]> head = get("/c/stream", "HEAD");
    assertEquals(200, head.statusCode());
    assertEquals(0, head.body().length);
    assertEquals("5", head.headers().firstValue("Content-Length").orElseThrow());
  }

  @Test
  void errorsAndRedirects_passThroughUncached() throws Exception {
    int before = calls.get();
    HttpResponse<byte[]> missing = get("/c/missing");
    assertEquals(404, missing.statusCode());
    assertEquals("no such thing", new String(missing.body(), StandardCharsets.UTF_8));
    assertEquals(404, get("/c/missing").statusCode());
    HttpResponse<byte[]> moved = get("/c/moved");
    assertEquals(302, moved.statusCode());
    assertTrue(moved.headers().firstValue("Location").orElseThrow().endsWith("/c/writer"));
    assertEquals("MISS", xCache(get("/c/moved")));
    assertEquals(before + 4, calls.get());
  }

  @Test
  void cookies_reachTheCallerAndPreventStoring() throws Exception {
    HttpResponse<byte[]> a = get("/c/cookie");
    HttpResponse<byte[]> b = get("/c/cookie");
    assertEquals("MISS", xCache(b));
    assertTrue(a.headers().firstValue("Set-Cookie").orElseThrow().startsWith("session=s"));
    assertTrue(b.headers().firstValue("Set-Cookie").orElseThrow().contains("HttpOnly"));
    assertTrue(!a.headers().firstValue("Set-Cookie").equals(b.headers().firstValue("Set-Cookie")));
  }

  @Test
  void bodiesOverTheLimit_streamWholeAndUncached() throws Exception {
    HttpResponse<byte[]> a = get("/c/large");
    HttpResponse<byte[]> b = get("/c/large");
    assertEquals(128 * 8192, a.body().length);
    assertEquals(127, a.body()[a.body().length - 1]);
    assertEquals("MISS", xCache(b));
    assertTrue(b.headers().firstValue("Cache-Status").orElseThrow().contains("uncacheable-streamed"));
    assertEquals(128 * 8192, b.body().length);
  }

  @Test
  void asyncServlets_areServedThroughUncached() throws Exception {
    long streamedBefore = engine.stats().policy("/c/**").uncacheable().getOrDefault("streamed", 0L);
    HttpResponse<byte[]> a = get("/c/async");
    HttpResponse<byte[]> b = get("/c/async");
    assertEquals("written later", new String(a.body(), StandardCharsets.UTF_8));
    assertEquals("written later", new String(b.body(), StandardCharsets.UTF_8));
    assertEquals("MISS", xCache(b));
    assertEquals(streamedBefore + 2, engine.stats().policy("/c/**").uncacheable().get("streamed"));
  }
}
