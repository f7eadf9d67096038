package dev.apicache.adapter.helidon;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import dev.apicache.CacheEngine;
import dev.apicache.CachePolicies;
import dev.apicache.CachePolicy;
import dev.apicache.adapter.LoopbackOrigin;
import dev.apicache.store.caffeine.CaffeineStore;
import io.helidon.http.HeaderNames;
import io.helidon.webserver.WebServer;
import io.helidon.webserver.http1.Http1Config;
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
 * Helidon misses run in place through a stream filter; a handler that declares its length before
 * it writes fixes the response's length, so the engine's 304 for it goes out as the full 200.
 */
class HelidonInPlaceTest {
  private final AtomicInteger calls = new AtomicInteger();
  private final HttpClient client = HttpClient.newHttpClient();
  private CacheEngine engine;
  private WebServer server;

  @BeforeEach
  void start() {
    engine = CacheEngine.builder(CachePolicies.builder()
        .add(CachePolicy.forRoute("/declared/{id}").ttl(Duration.ofMinutes(1)).build())
        .build(), CaffeineStore.builder().build()).build();
    server = WebServer.builder()
        .host("127.0.0.1")
        .port(0)
        .addProtocol(Http1Config.builder().name("http_1_1").addSendListener(ApiCacheFeature.notModifiedListener())
            .build())
        .routing(routing -> routing
            .addFeature(ApiCacheFeature.create(engine))
            .get("/declared/{id}", (req, res) -> {
              calls.incrementAndGet();
              boolean loopback = req.headers().contains(HeaderNames.create(LoopbackOrigin.MARKER_HEADER));
              byte[] body = ("hello " + loopback).getBytes(StandardCharsets.UTF_8);
              res.header("Content-Type", "text/plain");
              res.contentLength(body.length);
              try (OutputStream out = res.outputStream()) {
                out.write(body);
              }
            }))
        .build()
        .start();
  }

  @AfterEach
  void stop() {
    server.stop();
    engine.close();
  }

  private HttpResponse<String> get(String path, String... headers) throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + path));
    for (int i = 0; i < headers.length; i += 2) {
      b.header(headers[i], headers[i + 1]);
    }
    return client.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void aMissRunsTheHandlerInPlace_andADeclaredLengthKeepsTheFull200() throws Exception {
    HttpResponse<String> first = get("/declared/1");
    assertEquals(200, first.statusCode());
    assertEquals("hello false", first.body(), "the handler ran in place, not over loopback");
    assertEquals("MISS", first.headers().firstValue("X-Cache").orElseThrow());
    assertEquals("HIT", get("/declared/1").headers().firstValue("X-Cache").orElseThrow());
    String etag = first.headers().firstValue("ETag").orElseThrow();

    // a cold key whose client already holds the body: the engine would answer 304, but the
    // handler's stream was created with its length, so the full 200 goes out with the engine's fields
    HttpResponse<String> cold = get("/declared/2", "If-None-Match", etag);
    assertEquals(200, cold.statusCode());
    assertEquals("hello false", cold.body());
    assertEquals(etag, cold.headers().firstValue("ETag").orElseThrow());
    assertEquals("MISS", cold.headers().firstValue("X-Cache").orElseThrow());
    assertFalse(cold.headers().firstValue("Cache-Status").orElseThrow().isEmpty());

    // stored all the same: the next one is a 304 from the cache, without the handler
    int before = calls.get();
    assertEquals(304, get("/declared/2", "If-None-Match", etag).statusCode());
    assertEquals(before, calls.get());
  }
}
