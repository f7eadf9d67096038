package dev.apicache.adapter.helidon;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.apicache.CacheEngine;
import dev.apicache.CachePolicies;
import dev.apicache.CachePolicy;
import dev.apicache.store.caffeine.CaffeineStore;
import dev.apicache.testing.FaultyStore;
import io.helidon.webserver.WebServer;
import java.io.OutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A write whose invalidation the store does not record is answered 503 on Helidon however its
 * handler sends: in one piece, streamed in chunks, or in a length it declared first. The connection
 * stays usable.
 */
class HelidonWriteReportTest {
  private final FaultyStore store = new FaultyStore(CaffeineStore.builder().build());
  private final AtomicInteger writes = new AtomicInteger();
  private final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
  private CacheEngine engine;
  private WebServer server;

  @BeforeEach
  void start() {
    engine = CacheEngine.builder(CachePolicies.builder()
        .add(CachePolicy.forRoute("/items/{id}").ttl(Duration.ofMinutes(1)).build()).build(), store)
        .invalidationPatience(Duration.ofMillis(200)).build(); // the store never records it: nothing to wait for
    server = WebServer.builder().host("127.0.0.1").port(0)
        .routing(routing -> routing
            .addFeature(ApiCacheFeature.create(engine))
            .put("/items/whole", (req, res) -> {
              writes.incrementAndGet();
              res.send("{\"saved\":true}");
            })
            .put("/items/chunked", (req, res) -> {
              writes.incrementAndGet();
              try (OutputStream out = res.outputStream()) {
                for (int i = 0; i < 3; i++) {
                  out.write(("chunk " + i + "\n").getBytes(StandardCharsets.UTF_8));
                  out.flush();
                }
              }
            })
            .put("/items/declared", (req, res) -> {
              writes.incrementAndGet();
              byte[] body = "{\"saved\":1}".getBytes(StandardCharsets.UTF_8);
              res.contentLength(body.length);
              try (OutputStream out = res.outputStream()) {
                out.write(body);
              }
            })
            .get("/items/{id}", (req, res) -> res.send("item")))
        .build().start();
    store.failNextBumps(Integer.MAX_VALUE);
  }

  @AfterEach
  void stop() {
    server.stop();
    engine.close();
  }

  private HttpResponse<String> send(String method, String path) throws Exception {
    return client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + path))
        .method(method, method.equals("PUT") ? HttpRequest.BodyPublishers.ofString("x")
            : HttpRequest.BodyPublishers.noBody()).timeout(Duration.ofSeconds(60)).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void writesSentWhole_streamed_orInADeclaredLength_areAnswered503WithTheCachesReason() throws Exception {
    for (String path : new String[] {"/items/whole", "/items/chunked", "/items/declared"}) {
      HttpResponse<String> r = send("PUT", path);
      assertEquals(503, r.statusCode(), path + ": " + r.body());
      assertTrue(r.body().startsWith("The service answered this write with 200, but the cache could not record")
          && r.body().endsWith("It is being retried.\n"), path + ": " + r.body());
      assertTrue(r.headers().firstValue("Cache-Status").orElse("").contains("detail=invalidation-pending"), path);
      assertEquals(200, send("GET", "/items/1").statusCode(), path + ": the connection and server go on");
    }
    assertEquals(3, writes.get(), "each write ran once");
  }
}
