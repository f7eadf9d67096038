package dev.apicache;

import static dev.apicache.Fixture.xCache;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.apicache.http.HttpDate;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** {@link CacheEngine#purge} and {@link CacheEngine#purgePolicy}, through the engine and its store. */
class PurgeTest {
  private final Fixture f = new Fixture();

  @AfterEach
  void close() {
    f.close();
  }

  @Test
  void purge_dropsEveryVariantOfTheUrl_andNothingElse() {
    f.get("/api/products?category=a&page=1");
    f.get("/api/products?category=b");
    f.get("/api/products/7");
    assertTrue(f.engine.purge("/api/products"));
    assertEquals("MISS", xCache(f.get("/api/products?category=a&page=1")));
    assertEquals("MISS", xCache(f.get("/api/products?category=b")));
    assertEquals("HIT", xCache(f.get("/api/products/7")));
    assertEquals(1, f.engine.stats().policy("/api/products").purges(), "one URL purged, all its variants with it");
  }

  @Test
  void purge_takesAbsoluteUrlsAndQueries_andSaysWhenNoPolicyCoversTheUrl() {
    f.get("/api/products/7");
    assertTrue(f.engine.purge("https://shop.example/api/products/7?utm=x"));
    assertEquals("MISS", xCache(f.get("/api/products/7")));
    assertFalse(f.engine.purge("/not/cached/anywhere"));
    assertFalse(f.engine.purge("/api/user/profile/../../x/../../"));
  }

  @Test
  void purge_worksOnAPrefixRouteWithTheWholeQueryInTheKey() {
    try (Fixture proxyLike = new Fixture(CachePolicies.builder()
        .add(CachePolicy.forRoute("/**").originDirected(Duration.ZERO, Duration.ofDays(1))
            .varyBy("query:*").build()).build())) {
      proxyLike.respond = r -> CacheResponse.builder(200).header("Cache-Control", "max-age=600")
          .header("Date", HttpDate.format(proxyLike.clock.millis())).body(r.target()).build();
      proxyLike.get("/any/thing?a=1");
      proxyLike.get("/any/thing?a=2");
      assertEquals("HIT", xCache(proxyLike.get("/any/thing?a=1")));
      assertTrue(proxyLike.engine.purge("/any/thing"));
      assertEquals("MISS", xCache(proxyLike.get("/any/thing?a=1")));
      assertEquals("MISS", xCache(proxyLike.get("/any/thing?a=2")));
    }
  }

  @Test
  void purgePolicy_dropsEveryEntryOfThatPolicyOnly() {
    f.get("/api/products/1");
    f.get("/api/products/2");
    f.get("/api/products?category=a");
    assertTrue(f.engine.purgePolicy("/api/products/{id}"));
    assertEquals("MISS", xCache(f.get("/api/products/1")));
    assertEquals("MISS", xCache(f.get("/api/products/2")));
    assertEquals("HIT", xCache(f.get("/api/products?category=a")));
    assertFalse(f.engine.purgePolicy("/api/unknown"));
  }

  @Test
  void aFillThatStartedBeforeAPurge_isNeverServedAfterIt() throws Exception {
    ExecutorService threads = Executors.newFixedThreadPool(2);
    try {
      for (int round = 0; round < 20; round++) {
        String target = "/api/products/" + (100 + round);
        CountDownLatch inOrigin = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        f.respond = r -> {
          inOrigin.countDown();
          try {
            release.await(60, TimeUnit.SECONDS);
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
          }
          return CacheResponse.builder(200).body("before the purge").build();
        };
        Future<CacheResponse> slow = threads.submit(() -> f.get(target));
        assertTrue(inOrigin.await(60, TimeUnit.SECONDS));
        assertTrue(f.engine.purge(target));
        release.countDown();
        assertEquals("before the purge", slow.get(60, TimeUnit.SECONDS).body().utf8(), "its own caller gets it");
        f.respond = r -> CacheResponse.builder(200).body("after the purge").build();
        assertEquals("after the purge", f.get(target).body().utf8(), "round " + round);
      }
    } finally {
      threads.shutdownNow();
    }
  }
}
