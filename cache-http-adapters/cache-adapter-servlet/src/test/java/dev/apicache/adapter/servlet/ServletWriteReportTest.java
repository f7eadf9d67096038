package dev.apicache.adapter.servlet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.apicache.CacheEngine;
import dev.apicache.CachePolicies;
import dev.apicache.CachePolicy;
import dev.apicache.store.caffeine.CaffeineStore;
import dev.apicache.testing.FaultyStore;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A write whose invalidation the store does not record is answered 503 on a servlet container
 * however the application sends its answer: through the writer or the stream, in flushed chunks, as
 * a redirect. What the application writes after is dropped, and a failed write (4xx) invalidates
 * nothing, so it goes out untouched.
 */
class ServletWriteReportTest {
  private final FaultyStore store = new FaultyStore(CaffeineStore.builder().build());
  private final AtomicInteger writes = new AtomicInteger();
  private final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
  private CacheEngine engine;
  private JettyServer server;

  @BeforeEach
  void start() throws Exception {
    engine = CacheEngine.builder(CachePolicies.builder()
        .add(CachePolicy.forRoute("/items/{id}").ttl(Duration.ofMinutes(1)).build()).build(), store)
        .invalidationPatience(Duration.ofMillis(200)).build(); // the store never records it: nothing to wait for
    HttpServlet items = new HttpServlet() {
      @Override
      protected void doPut(HttpServletRequest req, HttpServletResponse res) throws IOException {
        writes.incrementAndGet();
        switch (req.getRequestURI()) {
          case "/items/writer" -> {
            PrintWriter out = res.getWriter();
            for (int i = 0; i < 3; i++) {
              out.print("line " + i + "\n");
              out.flush();
            }
          }
          case "/items/stream" -> {
            OutputStream out = res.getOutputStream();
            for (int i = 0; i < 3; i++) {
              out.write(("chunk " + i + "\n").getBytes(StandardCharsets.UTF_8));
              out.flush();
            }
          }
          case "/items/redirect" -> res.sendRedirect("/items/1");
          default -> res.sendError(409, "conflict");
        }
      }

      @Override
      protected void doGet(HttpServletRequest req, HttpServletResponse res) throws IOException {
        res.getWriter().print("item");
      }
    };
    server = JettyServer.start(ApiCacheFilter.create(engine), Map.of("/*", items));
    store.failNextBumps(Integer.MAX_VALUE);
  }

  @AfterEach
  void stop() {
    server.close();
    engine.close();
  }

  private HttpResponse<String> send(String method, String path) throws Exception {
    return client.send(HttpRequest.newBuilder(server.baseUri().resolve(path))
        .method(method, method.equals("PUT") ? HttpRequest.BodyPublishers.ofString("x")
            : HttpRequest.BodyPublishers.noBody()).timeout(Duration.ofSeconds(60)).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void writesThroughTheWriter_theStream_orARedirect_areAnswered503WithTheCachesReason() throws Exception {
    for (String path : new String[] {"/items/writer", "/items/stream", "/items/redirect"}) {
      HttpResponse<String> r = send("PUT", path);
      assertEquals(503, r.statusCode(), path + ": " + r.body());
      assertTrue(r.body().startsWith("The service answered this write with ")
          && r.body().endsWith("It is being retried.\n"), path + ": " + r.body());
      assertTrue(r.headers().firstValue("Cache-Status").orElse("").contains("detail=invalidation-pending"), path);
      assertEquals("item", send("GET", "/items/1").body(), path + ": the connection and server go on");
    }
    assertEquals(3, writes.get(), "each write ran once");
  }

  @Test
  void aWriteThatFailed_invalidatesNothing_andGoesOutAsTheApplicationSentIt() throws Exception {
    HttpResponse<String> r = send("PUT", "/items/conflict");
    assertEquals(409, r.statusCode(), r.body());
  }
}
