package dev.apicache;

import static dev.apicache.Fixture.xCache;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.apicache.http.HttpDate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * {@link CacheEngine#softPurge} and {@link CacheEngine#softPurgePolicy}: entries turn stale, are
 * served stale while one revalidation refreshes them, and are never served fresh after the call.
 */
class SoftPurgeTest {
  private final Fixture f = new Fixture();
  private final ExecutorService threads = Executors.newFixedThreadPool(16);

  @AfterEach
  void close() {
    threads.shutdownNow();
    f.close();
  }

  @Test
  void aSoftPurgedEntry_isServedStaleWhileOneRevalidationRefreshesIt() {
    f.get("/api/products/7");
    assertEquals("HIT", xCache(f.get("/api/products/7")));
    f.version = 2;
    assertTrue(f.engine.softPurge("/api/products/7"));

    CacheResponse stale = f.get("/api/products/7");
    assertEquals("STALE", xCache(stale));
    assertTrue(stale.body().utf8().contains("\"version\":1"), stale.body().utf8());
    Fixture.quickly().until(() -> f.engine.stats().total().revalidations() == 1);
    CacheResponse fresh = f.get("/api/products/7");
    assertEquals("HIT", xCache(fresh));
    assertTrue(fresh.body().utf8().contains("\"version\":2"), fresh.body().utf8());
    assertEquals(2, f.originCalls.get(), "the first fill and one revalidation");
    assertEquals(1, f.engine.stats().policy("/api/products/{id}").purges());
  }

  @Test
  void manyRequestsAfterASoftPurge_getTheStaleCopy_andStartExactlyOneRevalidation() throws Exception {
    for (int round = 0; round < 10; round++) {
      String target = "/api/products/soft-" + round;
      f.respond = r -> CacheResponse.builder(200).body("old").build();
      f.get(target);
      CountDownLatch release = new CountDownLatch(1);
      AtomicInteger revalidationCalls = new AtomicInteger();
      f.respond = r -> {
        revalidationCalls.incrementAndGet();
        Fixture.awaitLatch(release);
        return CacheResponse.builder(200).body("new").build();
      };
      long before = f.engine.stats().total().revalidations();
      assertTrue(f.engine.softPurge(target));
      CyclicBarrier start = new CyclicBarrier(16);
      List<Future<CacheResponse>> answers = new ArrayList<>();
      for (int t = 0; t < 16; t++) {
        answers.add(threads.submit(() -> {
          start.await(60, TimeUnit.SECONDS);
          return f.get(target);
        }));
      }
      for (Future<CacheResponse> a : answers) {
        CacheResponse r = a.get(30, TimeUnit.SECONDS); // answered while the revalidation is still blocked
        assertEquals("old", r.body().utf8());
        assertEquals("STALE", xCache(r), "round " + round);
      }
      release.countDown();
      Fixture.quickly().until(() -> f.engine.stats().total().revalidations() == before + 1);
      assertEquals(1, revalidationCalls.get(), "round " + round);
      assertEquals("new", f.get(target).body().utf8());
      assertEquals("HIT", xCache(f.get(target)));
    }
  }

  @Test
  void withoutAStaleWindow_theNextRequestCallsTheOrigin_butAFailingOriginStillGetsTheCopy() {
    try (Fixture g = new Fixture(CachePolicies.builder()
        .add(CachePolicy.forRoute("/api/config").ttl(Duration.ofMinutes(5)).staleIfError(Duration.ofMinutes(5))
            .build())
        .add(CachePolicy.forRoute("/api/plain").ttl(Duration.ofMinutes(5)).build())
        .build())) {
      g.get("/api/config");
      g.get("/api/plain");
      g.version = 2;
      assertTrue(g.engine.softPurge("/api/plain"));
      CacheResponse refetched = g.get("/api/plain");
      assertEquals("MISS", xCache(refetched));
      assertTrue(refetched.body().utf8().contains("\"version\":2"));

      assertTrue(g.engine.softPurge("/api/config"));
      g.respond = r -> {
        throw new IllegalStateException("origin down");
      };
      CacheResponse fallback = g.get("/api/config");
      assertEquals("STALE", xCache(fallback), "stale-if-error still covers a soft-purged copy");
      assertTrue(fallback.body().utf8().contains("\"version\":1"));
    }
  }

  @Test
  void aFillThatStartedBeforeASoftPurge_isStoredStale_andNeverServedFresh() throws Exception {
    for (int round = 0; round < 20; round++) {
      String target = "/api/products/" + (200 + round);
      CountDownLatch inOrigin = new CountDownLatch(1);
      CountDownLatch release = new CountDownLatch(1);
      f.respond = r -> {
        inOrigin.countDown();
        Fixture.awaitLatch(release);
        return CacheResponse.builder(200).body("before the purge").build();
      };
      Future<CacheResponse> slow = threads.submit(() -> f.get(target));
      Fixture.awaitLatch(inOrigin);
      assertTrue(f.engine.softPurge(target));
      release.countDown();
      assertEquals("before the purge", slow.get(30, TimeUnit.SECONDS).body().utf8(), "its own caller gets it");

      CountDownLatch refreshed = new CountDownLatch(1);
      f.respond = r -> {
        refreshed.countDown();
        return CacheResponse.builder(200).body("after the purge").build();
      };
      CacheResponse next = f.get(target);
      assertNotEquals("HIT", xCache(next), "round " + round + ": the racing fill must not be served as fresh");
      Fixture.awaitLatch(refreshed);
      Fixture.quickly().until(() -> f.get(target).body().utf8().equals("after the purge"));
    }
  }

  @Test
  void aRequestAfterASoftPurge_neverWaitsForAFillThatBeganBeforeIt() throws Exception {
    String target = "/api/products/coalesce";
    CountDownLatch inOrigin = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    AtomicInteger calls = new AtomicInteger();
    f.respond = r -> {
      if (calls.incrementAndGet() == 1) {
        inOrigin.countDown();
        Fixture.awaitLatch(release);
        return CacheResponse.builder(200).body("before").build();
      }
      return CacheResponse.builder(200).body("after").build();
    };
    try {
      Future<CacheResponse> slow = threads.submit(() -> f.get(target));
      Fixture.awaitLatch(inOrigin);
      assertTrue(f.engine.softPurge(target));
      long waitsBefore = f.engine.stats().total().coalescedWaits();
      // with the leader still blocked, a later request makes its own call and gets the new answer
      assertEquals("after", f.get(target).body().utf8());
      assertEquals(waitsBefore, f.engine.stats().total().coalescedWaits(), "it did not join the older fill");
      release.countDown();
      assertEquals("before", slow.get(30, TimeUnit.SECONDS).body().utf8());
    } finally {
      release.countDown();
    }
  }

  @Test
  void softPurgeOfAUrl_coversEveryVariant_andSoftPurgePolicyCoversThePolicyOnly() {
    f.get("/api/products?category=a");
    f.get("/api/products?category=b&page=2");
    f.get("/api/products/1");
    f.get("/api/products/2");
    assertTrue(f.engine.softPurge("https://shop.example/api/products?category=a"));
    assertEquals("STALE", xCache(f.get("/api/products?category=a")));
    assertEquals("STALE", xCache(f.get("/api/products?category=b&page=2")));
    assertEquals("HIT", xCache(f.get("/api/products/1")));

    assertTrue(f.engine.softPurgePolicy("/api/products/{id}"));
    assertEquals("STALE", xCache(f.get("/api/products/1")));
    assertEquals("STALE", xCache(f.get("/api/products/2")));

    assertFalse(f.engine.softPurge("/not/cached/anywhere"));
    assertFalse(f.engine.softPurgePolicy("/api/unknown"));
  }

  @Test
  void aHardPurgeAfterASoftOne_stillDropsTheEntry() {
    f.get("/api/products/9");
    assertTrue(f.engine.softPurge("/api/products/9"));
    assertTrue(f.engine.purge("/api/products/9"));
    assertEquals("MISS", xCache(f.get("/api/products/9")));
  }

  @Test
  void onAnOriginDirectedRoute_theSoftPurgedCopyIsValidated_andA304FreshensIt() {
    try (Fixture g = new Fixture(CachePolicies.builder()
        .add(CachePolicy.forRoute("/**").originDirected(Duration.ZERO, Duration.ofDays(1)).build()).build())) {
      AtomicInteger validated = new AtomicInteger();
      g.respond = r -> {
        if (r.headers().first("If-None-Match").filter("\"v1\""::equals).isPresent()) {
          validated.incrementAndGet();
          return CacheResponse.builder(304).header("ETag", "\"v1\"").header("Cache-Control", "max-age=600")
              .header("Date", HttpDate.format(g.clock.millis())).build();
        }
        return CacheResponse.builder(200).header("ETag", "\"v1\"").header("Cache-Control", "max-age=600")
            .header("Date", HttpDate.format(g.clock.millis())).body("the body").build();
      };
      g.get("/doc");
      assertEquals("HIT", xCache(g.get("/doc")));
      assertTrue(g.engine.softPurge("/doc"));
      CacheResponse r = g.get("/doc");
      assertNotEquals("HIT", xCache(r));
      assertEquals("the body", r.body().utf8());
      assertEquals(1, validated.get(), "the origin was asked whether the copy still holds");
      assertEquals("HIT", xCache(g.get("/doc")));
      assertEquals("the body", g.get("/doc").body().utf8());
    }
  }
}
