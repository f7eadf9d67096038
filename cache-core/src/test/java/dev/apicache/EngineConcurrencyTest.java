package dev.apicache;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Single flight and no-stale-after-invalidation, with real threads and latches, each repeated 200
 * times (DESIGN.md §9.2, §9.3).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class EngineConcurrencyTest {
  private static final int ROUNDS = 200;
  private final AtomicInteger lastInvalidated = new AtomicInteger();
  private ExecutorService pool;

  @BeforeAll
  void startPool() {
    pool = Executors.newFixedThreadPool(64);
  }

  @AfterAll
  void stopPool() {
    pool.shutdownNow();
  }

  @Test
  void sixtyFourConcurrentMissesOfOneKey_makeOneOriginCall() throws Exception {
    try (Fixture f = new Fixture()) {
      for (int round = 0; round < ROUNDS; round++) {
        String target = "/api/products/" + round;
        CountDownLatch release = new CountDownLatch(1);
        AtomicInteger calls = new AtomicInteger();
        f.respond = r -> {
          calls.incrementAndGet();
          Fixture.awaitLatch(release);
          return CacheResponse.builder(200).body("body of " + r.target()).build();
        };
        long waitsBefore = f.engine.stats().total().coalescedWaits();
        List<Future<CacheResponse>> results = new ArrayList<>();
        for (int t = 0; t < 64; t++) {
          results.add(pool.submit(() -> f.get(target)));
        }
        // every other request is parked on the leader's call before the origin may answer
        Fixture.quickly()
            .until(() -> f.engine.stats().total().coalescedWaits() - waitsBefore == 63);
        release.countDown();
        for (Future<CacheResponse> r : results) {
          assertEquals("body of " + target, r.get(30, TimeUnit.SECONDS).body().utf8());
        }
        assertEquals(1, calls.get(), "round " + round);
      }
    }
  }

  @Test
  void invalidationRacingASlowOriginCall_isNeverFollowedByTheOldBody() throws Exception {
    try (Fixture f = new Fixture()) {
      for (int round = 0; round < ROUNDS; round++) {
        String target = "/api/products?category=race" + round;
        AtomicInteger version = new AtomicInteger(1);
        CountDownLatch originRead = new CountDownLatch(1);
        CountDownLatch writeDone = new CountDownLatch(1);
        f.respond = r -> {
          int seen = version.get(); // the slow read sees the data before the write...
          originRead.countDown();
          Fixture.awaitLatch(writeDone); // ...and answers only after the write and its invalidation
          return CacheResponse.builder(200).body("v" + seen).build();
        };
        Future<CacheResponse> slowRead = pool.submit(() -> f.get(target));
        Fixture.awaitLatch(originRead);
        version.set(2);
        f.engine.invalidate("product.updated");
        writeDone.countDown();
        assertEquals("v1", slowRead.get(30, TimeUnit.SECONDS).body().utf8()); // it started before the write
        f.respond = r -> CacheResponse.builder(200).body("v" + version.get()).build();
        for (int i = 0; i < 3; i++) {
          assertEquals("v2", f.get(target).body().utf8(), "round " + round + ": stale body after invalidate returned");
        }
      }
    }
  }

  @Test
  void randomlyInterleavedWritesAndReads_neverServeDataOlderThanTheLastCompletedWrite() throws Exception {
    try (Fixture f = new Fixture()) {
      AtomicInteger database = new AtomicInteger();
      f.respond = r -> {
        int seen = database.get();
        if (ThreadLocalRandom.current().nextBoolean()) {
          Thread.onSpinWait();
          Thread.yield(); // widen the window between reading the data and answering
        }
        return CacheResponse.builder(200).body(Integer.toString(seen)).build();
      };
      for (int round = 0; round < ROUNDS; round++) {
        CyclicBarrier start = new CyclicBarrier(5);
        List<Future<?>> work = new ArrayList<>();
        for (int r = 0; r < 4; r++) {
          work.add(pool.submit(() -> {
            start.await(60, TimeUnit.SECONDS);
            for (int i = 0; i < 20; i++) {
              // every write whose invalidation returned before this read started must be visible
              int mustSee = lastInvalidated.get();
              int served = Integer.parseInt(f.get("/api/products?category=hot").body().utf8());
              assertTrue(served >= mustSee, "served " + served + " after write " + mustSee + " was invalidated");
            }
            return null;
          }));
        }
        work.add(pool.submit(() -> {
          start.await(60, TimeUnit.SECONDS);
          for (int i = 0; i < 5; i++) {
            int v = database.incrementAndGet();
            f.engine.invalidate("product.updated");
            lastInvalidated.set(v);
          }
          return null;
        }));
        for (Future<?> w : work) {
          w.get(60, TimeUnit.SECONDS);
        }
      }
    }
  }

  @Test
  void manyConcurrentStaleHits_startExactlyOneRevalidation() throws Exception {
    try (Fixture f = new Fixture()) {
      for (int round = 0; round < ROUNDS; round++) {
        String target = "/api/products/stale-" + round;
        f.respond = r -> CacheResponse.builder(200).body("old").build();
        f.get(target);
        f.clock.advance(Duration.ofSeconds(65)); // inside stale-while-revalidate
        CountDownLatch release = new CountDownLatch(1);
        AtomicInteger revalidationCalls = new AtomicInteger();
        f.respond = r -> {
          revalidationCalls.incrementAndGet();
          Fixture.awaitLatch(release);
          return CacheResponse.builder(200).body("new").build();
        };
        long before = f.engine.stats().total().revalidations();
        CyclicBarrier start = new CyclicBarrier(32);
        List<Future<CacheResponse>> hits = new ArrayList<>();
        for (int t = 0; t < 32; t++) {
          hits.add(pool.submit(() -> {
            start.await(60, TimeUnit.SECONDS);
            return f.get(target);
          }));
        }
        for (Future<CacheResponse> h : hits) {
          CacheResponse r = h.get(30, TimeUnit.SECONDS); // answered while the revalidation is still blocked
          assertEquals("old", r.body().utf8());
          assertEquals("STALE", Fixture.xCache(r));
        }
        release.countDown();
        Fixture.quickly().until(() -> f.engine.stats().total().revalidations() == before + 1);
        assertEquals(1, revalidationCalls.get(), "round " + round);
        assertEquals("new", f.get(target).body().utf8());
      }
    }
  }

  @Test
  void waitersPastTheCoalescingTimeout_callTheOriginThemselves() throws Exception {
    CachePolicies policies = Fixture.defaultPolicies();
    try (Fixture base = new Fixture()) {
      CacheEngine engine = CacheEngine.builder(policies, base.memory).clock(base.clock)
          .coalesceTimeout(Duration.ofMillis(50)).build();
      CountDownLatch release = new CountDownLatch(1);
      AtomicInteger calls = new AtomicInteger();
      Origin origin = r -> {
        if (calls.incrementAndGet() == 1) {
          Fixture.awaitLatch(release);
        }
        return CacheResponse.builder(200).body("x").build();
      };
      Future<CacheResponse> leader = pool.submit(() -> engine.handle(CacheRequest.get("/api/products/slow"), origin));
      Fixture.quickly().until(() -> calls.get() == 1);
      CacheResponse follower = engine.handle(CacheRequest.get("/api/products/slow"), origin);
      assertEquals(200, follower.status());
      assertEquals(2, calls.get());
      release.countDown();
      assertEquals(200, leader.get(30, TimeUnit.SECONDS).status());
    }
  }
}
