package dev.apicache;

import static dev.apicache.Fixture.xCache;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.apicache.adapter.AdminApi;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The admin API over a real engine: its token, its answers, and what they do to the cache. */
class AdminApiTest {
  private static final String TOKEN = "sixteen-chars-at-least";
  private final Fixture f = new Fixture();
  private final AdminApi admin = AdminApi.of(f.engine, TOKEN);

  @AfterEach
  void close() {
    f.close();
  }

  private CacheResponse call(String method, String target, boolean withToken) {
    CacheRequest.Builder b = CacheRequest.builder(method, target);
    if (withToken) {
      b.header("Authorization", "Bearer " + TOKEN);
    }
    return admin.handle(b.build());
  }

  @Test
  void everyCall_needsTheToken() {
    for (String target : new String[] {"/_apicache/stats", "/_apicache/purge?url=/api/products/1"}) {
      CacheResponse r = admin.handle(CacheRequest.builder("POST", target).header("Authorization", "Bearer wrong")
          .build());
      assertEquals(401, r.status(), target);
      assertTrue(r.headers().first("WWW-Authenticate").orElseThrow().startsWith("Bearer"));
    }
    f.get("/api/products/1");
    call("POST", "/_apicache/purge?url=/api/products/1", false);
    assertEquals("HIT", xCache(f.get("/api/products/1")), "nothing done without the token");
  }

  @Test
  void stats_areJsonWithEveryCounterPerPolicy() {
    f.get("/api/products/1");
    f.get("/api/products/1");
    CacheResponse r = call("GET", "/_apicache/stats", true);
    assertEquals(200, r.status());
    assertEquals("no-store", r.headers().first("Cache-Control").orElseThrow());
    String json = r.body().utf8();
    assertTrue(json.startsWith("{\"total\":{\"hits\":1,"), json);
    assertTrue(json.contains("\"/api/products/{id}\":{\"hits\":1,\"staleHits\":0,"), json);
    assertTrue(json.contains("\"hitRate\":0.5"), json);
  }

  @Test
  void invalidateAndPurge_doWhatTheySay() {
    f.get("/api/products/1");
    f.get("/api/products/2");
    f.get("/api/products?category=a");
    assertEquals("{\"urls\":1,\"cached\":1,\"policies\":0,\"soft\":false}\n",
        call("POST", "/_apicache/purge?url=%2Fapi%2Fproducts%2F1", true).body().utf8());
    assertEquals("MISS", xCache(f.get("/api/products/1")));
    assertEquals("HIT", xCache(f.get("/api/products/2")));
    assertEquals(200, call("POST", "/_apicache/purge?policy=/api/products/{id}", true).status());
    assertEquals("MISS", xCache(f.get("/api/products/2")));
    assertEquals("{\"events\":1,\"policies\":2,\"tags\":0}\n",
        call("POST", "/_apicache/invalidate?event=product.updated", true).body().utf8());
    assertEquals("MISS", xCache(f.get("/api/products?category=a")));
  }

  @Test
  void softPurge_marksEntriesStaleInsteadOfDroppingThem() {
    f.get("/api/products/1");
    f.get("/api/products/2");
    assertEquals("{\"urls\":1,\"cached\":1,\"policies\":0,\"soft\":true}\n",
        call("POST", "/_apicache/soft-purge?url=/api/products/1", true).body().utf8());
    assertEquals("STALE", xCache(f.get("/api/products/1")));
    assertEquals("HIT", xCache(f.get("/api/products/2")));
    assertEquals(200, call("POST", "/_apicache/soft-purge?policy=/api/products/{id}", true).status());
    assertEquals("STALE", xCache(f.get("/api/products/2")));
    assertEquals(405, call("GET", "/_apicache/soft-purge?url=/x", true).status());
    assertEquals(400, call("POST", "/_apicache/soft-purge?url=", true).status());
    assertEquals(401, call("POST", "/_apicache/soft-purge?url=/api/products/1", false).status());
  }

  @Test
  void mistakes_getClearAnswers() {
    assertEquals(405, call("GET", "/_apicache/purge?url=/x", true).status());
    assertEquals("POST", call("GET", "/_apicache/purge?url=/x", true).headers().first("Allow").orElseThrow());
    assertEquals(405, call("POST", "/_apicache/stats", true).status());
    assertEquals(404, call("GET", "/_apicache/other", true).status());
    assertEquals(400, call("POST", "/_apicache/purge", true).status());
    assertEquals(400, call("POST", "/_apicache/invalidate?event=", true).status());
    assertTrue(admin.owns("/_apicache/stats"));
    assertFalse(admin.owns("/api/products"));
    assertThrows(IllegalArgumentException.class, () -> AdminApi.of(f.engine, "short"));
    assertThrows(IllegalArgumentException.class, () -> AdminApi.of(f.engine, TOKEN, "admin"));
  }
}
