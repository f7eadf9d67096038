package dev.apicache;

import static dev.apicache.Fixture.cacheStatus;
import static dev.apicache.Fixture.xCache;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.function.Function;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** DESIGN.md §9.4: what the cache never stores, one rule at a time. */
class NeverStoreTest {

  private static void assertNeverStored(String target, Function<CacheRequest, CacheResponse> origin, String reason) {
    try (Fixture f = new Fixture()) {
      f.respond = origin;
      CacheResponse first = f.get(target);
      CacheResponse second = f.get(target);
      assertEquals("MISS", xCache(first));
      assertEquals("MISS", xCache(second));
      assertEquals(2, f.originCalls.get(), "origin calls");
      assertEquals(2L, f.engine.stats().total().uncacheable().get(reason), f.engine.stats().total().uncacheable()::toString);
      assertTrue(cacheStatus(second).contains("detail=uncacheable-" + reason), cacheStatus(second));
      assertEquals(0, f.memory.size(), "nothing may reach the store");
    }
  }

  @ParameterizedTest
  @CsvSource({"201", "206", "302", "304", "400", "401", "403", "404", "429", "500", "502", "503"})
  void nonCacheableStatus(int status) {
    assertNeverStored("/api/products/1", r -> CacheResponse.builder(status).body("x").build(), "status");
  }

  @Test
  void setCookie() {
    assertNeverStored("/api/products/1",
        r -> CacheResponse.builder(200).header("Set-Cookie", "session=abc").body("x").build(), "set-cookie");
  }

  @Test
  void cacheControlPrivate() {
    assertNeverStored("/api/products/1",
        r -> CacheResponse.builder(200).header("Cache-Control", "max-age=60, Private").body("x").build(), "private");
  }

  @Test
  void cacheControlNoStore() {
    assertNeverStored("/api/products/1",
        r -> CacheResponse.builder(200).header("Cache-Control", "no-store").body("x").build(), "no-store");
  }

  @Test
  void bodyOverThePolicyLimit() {
    assertNeverStored("/api/small", r -> CacheResponse.builder(200).body("seventeen bytes!!").build(), "too-large");
  }

  @Test
  void varyOnAHeaderThePolicyDoesNotKeyOn() {
    assertNeverStored("/api/products/1",
        r -> CacheResponse.builder(200).header("Vary", "Accept-Language").body("x").build(), "vary-unkeyed");
  }

  @Test
  void varyStar() {
    assertNeverStored("/api/products/1", r -> CacheResponse.builder(200).header("Vary", "*").body("x").build(), "vary");
  }

  @Test
  void varyOnAKeyedHeader_isStored() {
    try (Fixture f = new Fixture()) {
      f.respond = r -> CacheResponse.builder(200).header("Vary", "X-Tenant-Id, Accept-Encoding").body("x").build();
      CacheRequest request = CacheRequest.builder("GET", "/api/config").header("X-Tenant-Id", "a")
          .attribute("tenant", "t").build();
      f.send(request);
      assertEquals("HIT", xCache(f.send(request)));
    }
  }

  @Test
  void bodyExactlyAtTheLimit_isStored() {
    try (Fixture f = new Fixture()) {
      f.respond = r -> CacheResponse.builder(200).body("sixteen bytes!!!").build();
      f.get("/api/small");
      assertEquals("HIT", xCache(f.get("/api/small")));
    }
  }

  @Test
  void uncacheableResponse_isNotSharedWithConcurrentWaiters() throws Exception {
    try (Fixture f = new Fixture()) {
      java.util.concurrent.CountDownLatch release = new java.util.concurrent.CountDownLatch(1);
      java.util.concurrent.atomic.AtomicInteger n = new java.util.concurrent.atomic.AtomicInteger();
      f.respond = r -> {
        int me = n.incrementAndGet();
        if (me == 1) {
          await(release);
        }
        return CacheResponse.builder(200).header("Set-Cookie", "user=" + me).body("for " + me).build();
      };
      java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(2);
      try {
        java.util.concurrent.Future<CacheResponse> leader = pool.submit(() -> f.get("/api/products/1"));
        org.awaitility.Awaitility.await("() -> n.get() == 1").atMost(Duration.ofSeconds(60))
            .until(() -> n.get() == 1);
        java.util.concurrent.Future<CacheResponse> follower = pool.submit(() -> f.get("/api/products/1"));
        org.awaitility.Awaitility.await("() -> f.engine.stats().total().coalescedWaits() == 1")
            .atMost(Duration.ofSeconds(60)).until(() -> f.engine.stats().total().coalescedWaits() == 1);
        release.countDown();
        assertEquals("for 1", leader.get().body().utf8());
        assertEquals("for 2", follower.get().body().utf8(), "a waiter must never get another caller's cookie");
      } finally {
        pool.shutdownNow();
      }
    }
  }

  private static void await(java.util.concurrent.CountDownLatch latch) {
    try {
      latch.await();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
  @Test
  void fieldsNamedByConnection_areNeverStoredNorSentFromTheCache() {
    try (Fixture f = new Fixture()) {
      f.respond = r -> CacheResponse.builder(200).header("Connection", "X-Hop, keep-alive")
          .header("X-Hop", "for this hop only").header("X-Kept", "end to end").body("x").build();
      f.get("/api/products/77");
      CacheResponse hit = f.get("/api/products/77");
      assertEquals("HIT", xCache(hit));
      assertEquals("end to end", hit.headers().first("X-Kept").orElseThrow());
      assertTrue(hit.headers().first("X-Hop").isEmpty(), hit.headers().toString());
      assertTrue(hit.headers().first("Connection").isEmpty(), hit.headers().toString());
    }
  }
}
