package dev.apicache.store.redis;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.apicache.CacheEngine;
import dev.apicache.CachePolicies;
import dev.apicache.CachePolicy;
import dev.apicache.CacheRequest;
import dev.apicache.CacheResponse;
import dev.apicache.Origin;
import dev.apicache.http.HeaderNames;
import dev.apicache.testing.ManualClock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** One origin call per key across two nodes sharing Redis: for stale revalidations, and for misses when asked. */
class DistributedSingleFlightTest {
  private static final int ROUNDS = 20;

  private static CachePolicies policies() {
    return CachePolicies.builder()
        .add(CachePolicy.forRoute("/api/products/{id}").ttl(Duration.ofSeconds(10))
            .staleWhileRevalidate(Duration.ofMinutes(5)).build())
        .build();
  }

  private static CacheEngine node(String prefix, ManualClock clock, Duration clusterWideMisses) {
    RedisStore store = RedisStore.builder(RedisStoreTest.redisUri()).keyPrefix(prefix)
        .commandTimeout(Duration.ofSeconds(1)).build();
    RedisTesting.awaitConnected(store);
    return CacheEngine.builder(policies(), store).clock(clock).clusterWideMisses(clusterWideMisses).build();
  }

  private static void awaitLatch(CountDownLatch latch) {
    try {
      latch.await(30, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  @Test
  void staleHitsOnTwoNodes_startOneRevalidationInTheCluster() throws Exception {
    String prefix = "dsf:" + UUID.randomUUID() + ":";
    ManualClock clock = new ManualClock(Instant.now());
    ExecutorService pool = Executors.newFixedThreadPool(16);
    try (CacheEngine a = node(prefix, clock, Duration.ZERO); CacheEngine b = node(prefix, clock, Duration.ZERO)) {
      for (int round = 0; round < ROUNDS; round++) {
        String target = "/api/products/" + round;
        a.handle(CacheRequest.get(target), r -> CacheResponse.builder(200).body("old").build());
        clock.advance(Duration.ofSeconds(20)); // stale on both nodes
        CountDownLatch release = new CountDownLatch(1);
        AtomicInteger calls = new AtomicInteger();
        Origin slow = r -> {
          calls.incrementAndGet();
          awaitLatch(release);
          return CacheResponse.builder(200).body("new").build();
        };
        List<Future<CacheResponse>> stale = new ArrayList<>();
        for (int t = 0; t < 16; t++) {
          CacheEngine node = t % 2 == 0 ? a : b;
          stale.add(pool.submit(() -> node.handle(CacheRequest.get(target), slow)));
        }
        for (Future<CacheResponse> f : stale) {
          assertEquals("old", f.get(30, TimeUnit.SECONDS).body().utf8());
        }
        release.countDown();
        await("() -> \"new\".equals(b.handle(CacheRequest.get(target), slow).body().utf8()) && \"new\".equ...")
            .atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(5)).until(() ->
            "new".equals(b.handle(CacheRequest.get(target), slow).body().utf8())
                && "new".equals(a.handle(CacheRequest.get(target), slow).body().utf8()));
        assertEquals(1, calls.get(), "round " + round + ": origin calls across both nodes");
      }
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void missesOnTwoNodes_makeOneOriginCallWhenClusterWide() throws Exception {
    String prefix = "dsf:" + UUID.randomUUID() + ":";
    ManualClock clock = new ManualClock(Instant.now());
    ExecutorService pool = Executors.newFixedThreadPool(16);
    try (CacheEngine a = node(prefix, clock, Duration.ofSeconds(10));
        CacheEngine b = node(prefix, clock, Duration.ofSeconds(10))) {
      for (int round = 0; round < ROUNDS; round++) {
        String target = "/api/products/miss-" + round;
        CountDownLatch release = new CountDownLatch(1);
        AtomicInteger calls = new AtomicInteger();
        Origin slow = r -> {
          calls.incrementAndGet();
          awaitLatch(release);
          return CacheResponse.builder(200).body("filled").build();
        };
        long waitsBefore = a.stats().total().coalescedWaits() + b.stats().total().coalescedWaits();
        List<Future<CacheResponse>> misses = new ArrayList<>();
        for (int t = 0; t < 16; t++) {
          CacheEngine node = t % 2 == 0 ? a : b;
          misses.add(pool.submit(() -> node.handle(CacheRequest.get(target), slow)));
        }
        // 14 wait on their node's leader, and one node's leader waits on the other's lease
        await("() -> a.stats().total().coalescedWaits() + b.stats().total().coalescedWaits() - waitsBe...")
            .atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(2)).until(() ->
            a.stats().total().coalescedWaits() + b.stats().total().coalescedWaits() - waitsBefore == 15);
        release.countDown();
        for (Future<CacheResponse> f : misses) {
          CacheResponse r = f.get(30, TimeUnit.SECONDS);
          assertEquals("filled", r.body().utf8());
          assertEquals("MISS", r.headers().first(HeaderNames.X_CACHE).orElseThrow());
        }
        assertEquals(1, calls.get(), "round " + round + ": origin calls across both nodes");
      }
    } finally {
      pool.shutdownNow();
    }
  }
}
