package dev.apicache;

import static dev.apicache.Fixture.xCache;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.apicache.testing.InMemoryStore;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * Routes relative to a base path, as a servlet application under a context path declares them:
 * matched below the base only, keyed, purged and invalidated by the whole path.
 */
class BasePathTest {
  private final AtomicInteger calls = new AtomicInteger();
  private final Origin origin = r -> CacheResponse.builder(200).body(r.path() + " #" + calls.incrementAndGet()).build();

  private static CacheEngine engine(String base) {
    CachePolicies policies = CachePolicies.builder().basePath(base)
        .add(CachePolicy.forRoute("/api/items/{id:int}").ttl(Duration.ofMinutes(1)).invalidateOn("items").build())
        .add(CachePolicy.forRoute("/").ttl(Duration.ofMinutes(1)).build())
        .write(WriteRule.of("/api/items/**", java.util.List.of(), java.util.List.of("items")))
        .build();
    return CacheEngine.builder(policies, new InMemoryStore(java.time.InstantSource.system())).build();
  }

  @Test
  void routesMatchUnderTheBaseOnly_andTheirIdsStayAsWritten() {
    try (CacheEngine engine = engine("/shop/")) {
      assertEquals("/shop", engine.policies().basePath());
      assertEquals("MISS", xCache(engine.handle(CacheRequest.get("/shop/api/items/7"), origin)));
      CacheResponse hit = engine.handle(CacheRequest.get("/shop/api/items/7"), origin);
      assertEquals("HIT", xCache(hit));
      assertEquals("/shop/api/items/7 #1", hit.body().utf8());
      assertEquals("BYPASS", xCache(engine.handle(CacheRequest.get("/api/items/7"), origin)), "outside the base");
      assertEquals("BYPASS", xCache(engine.handle(CacheRequest.get("/shopping/api/items/7"), origin)));
      assertTrue(engine.policies().match("GET", "/shop/api/items/7").isPresent());
      assertEquals("/api/items/{id:int}", engine.policies().match("GET", "/shop/api/items/7").orElseThrow().id());
      assertEquals("MISS", xCache(engine.handle(CacheRequest.get("/shop"), origin)), "the base's own root");
      assertEquals("HIT", xCache(engine.handle(CacheRequest.get("/shop"), origin)));
    }
  }

  @Test
  void purgesAndWritesUseTheWholePath() {
    try (CacheEngine engine = engine("/shop")) {
      engine.handle(CacheRequest.get("/shop/api/items/7"), origin);
      assertTrue(engine.purge("/shop/api/items/7"));
      assertEquals("MISS", xCache(engine.handle(CacheRequest.get("/shop/api/items/7"), origin)));
      engine.handle(CacheRequest.builder("PUT", "/shop/api/items/7").build(), r -> CacheResponse.builder(204).build());
      assertEquals("MISS", xCache(engine.handle(CacheRequest.get("/shop/api/items/7"), origin)),
          "a write under the base fires its rule's event");
      assertEquals(3, calls.get());
    }
  }

  @Test
  void aBaseThatIsNoPlainPath_isRefused() {
    for (String bad : new String[] {"shop", "/shop/{id}", "/shop/**", "/a//b", "/shop?x=1"}) {
      assertThrows(PolicyConfigException.class, () -> CachePolicies.builder().basePath(bad), bad);
    }
    assertEquals("", CachePolicies.builder().basePath("/").build().basePath());
  }
}
