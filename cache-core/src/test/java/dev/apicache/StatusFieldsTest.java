package dev.apicache;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.apicache.testing.InMemoryStore;
import dev.apicache.testing.ManualClock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * {@code xCacheHeader(false)} and {@code cacheStatusHeader(false)} take the field off every
 * response the engine makes or has the application send: hits, misses, 304s, stale copies,
 * bypasses, writes, origin failures, uncacheable answers and the fields for a streamed answer.
 */
class StatusFieldsTest {
  @ParameterizedTest(name = "X-Cache {0}, Cache-Status {1}")
  @CsvSource({"false, false", "false, true", "true, false", "true, true"})
  void everyKindOfResponse_carriesOnlyTheFieldsTurnedOn(boolean xCache, boolean cacheStatus) {
    ManualClock clock = new ManualClock();
    AtomicInteger version = new AtomicInteger();
    List<String> kinds = new ArrayList<>();
    List<CacheResponse> responses = new ArrayList<>();
    Origin origin = r -> {
      if (r.target().startsWith("/api/products/fails")) {
        throw new IllegalStateException("down");
      }
      if (r.target().startsWith("/api/products/private")) {
        return CacheResponse.builder(200).header("Cache-Control", "no-store").body("mine").build();
      }
      return CacheResponse.builder(200).body("v" + version.get()).build();
    };
    try (CacheEngine engine = CacheEngine.builder(Fixture.defaultPolicies(), new InMemoryStore(clock)).clock(clock)
        .xCacheHeader(xCache).cacheStatusHeader(cacheStatus).build()) {
      CacheResponse miss = engine.handle(CacheRequest.get("/api/products/1"), origin);
      record(kinds, responses, "miss", miss);
      CacheResponse hit = engine.handle(CacheRequest.get("/api/products/1"), origin);
      record(kinds, responses, "hit", hit);
      String etag = hit.headers().first("ETag").orElseThrow();
      record(kinds, responses, "304", engine.handle(CacheRequest.builder("GET", "/api/products/1")
          .header("If-None-Match", etag).build(), origin));
      clock.advance(Duration.ofSeconds(70));
      record(kinds, responses, "stale", engine.handle(CacheRequest.get("/api/products/1"), origin));
      record(kinds, responses, "bypass", engine.handle(CacheRequest.get("/not/a/policy"), origin));
      record(kinds, responses, "write", engine.handle(CacheRequest.builder("POST", "/api/products/1").build(), origin));
      record(kinds, responses, "origin failure", engine.handle(CacheRequest.get("/api/products/fails"), origin));
      record(kinds, responses, "no-store", engine.handle(CacheRequest.get("/api/products/private"), origin));
      Serving serving = engine.serve((Admission.Cacheable) engine.admit(CacheRequest.get("/api/products/2")), origin);
      Serving.Fill fill = assertInstanceOf(Serving.Fill.class, serving);
      Headers streamed = fill.streamedHeaders();
      record(kinds, responses, "in-place fill", fill.complete(CacheResponse.builder(200).body("in place").build()));
      Serving ready = engine.serve((Admission.Cacheable) engine.admit(CacheRequest.get("/api/products/2")), origin);
      record(kinds, responses, "in-place hit", assertInstanceOf(Serving.Ready.class, ready).response());
      Headers bypassFields = engine.fieldsFor(engine.admit(CacheRequest.get("/not/a/policy")));
      Headers writeFields = engine.fieldsFor(engine.admit(CacheRequest.builder("DELETE", "/api/products/1").build()));

      for (int i = 0; i < responses.size(); i++) {
        assertFields(kinds.get(i), responses.get(i).headers(), xCache, cacheStatus);
      }
      assertFields("streamed", streamed, xCache, cacheStatus);
      assertFields("bypass fields", bypassFields, xCache, cacheStatus);
      assertFields("write fields", writeFields, xCache, cacheStatus);
      assertEquals(Headers.empty(), engine.fieldsFor(engine.admit(CacheRequest.get("/api/products/3"))),
          "a cacheable request's response is the engine's to build");
      assertEquals(304, responses.get(kinds.indexOf("304")).status(), "the rest of each response is as before");
      assertEquals("v0", responses.get(kinds.indexOf("hit")).body().utf8());
      assertEquals(502, responses.get(kinds.indexOf("origin failure")).status());
    }
  }

  private static void record(List<String> kinds, List<CacheResponse> responses, String kind, CacheResponse r) {
    kinds.add(kind);
    responses.add(r);
  }

  private static void assertFields(String kind, Headers h, boolean xCache, boolean cacheStatus) {
    assertEquals(xCache, h.contains("X-Cache"), kind + " X-Cache: " + h);
    assertEquals(cacheStatus, h.contains("Cache-Status"), kind + " Cache-Status: " + h);
    assertTrue(h.all("X-Cache").size() <= 1 && h.all("Cache-Status").size() <= 1, kind + ": " + h);
  }
}
