package dev.apicache.store.redis;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.apicache.CacheEngine;
import dev.apicache.CachePolicies;
import dev.apicache.CachePolicy;
import dev.apicache.CacheRequest;
import dev.apicache.CacheResponse;
import dev.apicache.testing.SoftPurgeAcrossNodes;
import java.time.Duration;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * Two engines, each with its own connection, sharing one Redis: an invalidation on one node is
 * binding on the other at once, even against a slow fill that raced it (repeated 200 times).
 */
class TwoNodeRedisTest {
  private static CachePolicies policies() {
    return CachePolicies.builder()
        .add(CachePolicy.forRoute("/api/products").ttl(Duration.ofMinutes(5)).varyBy("category")
            .invalidateOn("product.updated").build())
        .build();
  }

  private static RedisStore store(String prefix) {
    RedisStore s = RedisStore.builder(RedisStoreTest.redisUri()).keyPrefix(prefix).commandTimeout(Duration.ofSeconds(2))
        .build();
    RedisTesting.awaitConnected(s);
    return s;
  }

  @Test
  void invalidationOnOneNode_beatsASlowFillOnTheOther() throws Exception {
    String prefix = "two-node:" + UUID.randomUUID() + ":";
    AtomicInteger database = new AtomicInteger(1);
    ExecutorService pool = Executors.newFixedThreadPool(2);
    try (CacheEngine a = CacheEngine.builder(policies(), store(prefix)).build();
        CacheEngine b = CacheEngine.builder(policies(), store(prefix)).build()) {
      for (int round = 0; round < 200; round++) {
        String target = "/api/products?category=c" + round;
        CountDownLatch readDone = new CountDownLatch(1);
        CountDownLatch writeDone = new CountDownLatch(1);
        Future<CacheResponse> slowFillOnB = pool.submit(() -> b.handle(CacheRequest.get(target), r -> {
          int seen = database.get();
          readDone.countDown();
          if (!writeDone.await(30, TimeUnit.SECONDS)) {
            throw new IllegalStateException("write never finished");
          }
          return CacheResponse.builder(200).body("v" + seen).build();
        }));
        if (!readDone.await(30, TimeUnit.SECONDS)) {
          throw new IllegalStateException("fill never started");
        }
        int written = database.incrementAndGet();
        a.invalidate("product.updated");
        writeDone.countDown();
        slowFillOnB.get(30, TimeUnit.SECONDS);
        for (CacheEngine node : new CacheEngine[] {a, b}) {
          CacheResponse r = node.handle(CacheRequest.get(target),
              req -> CacheResponse.builder(200).body("v" + database.get()).build());
          assertEquals("v" + written, r.body().utf8(), "round " + round);
        }
      }
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void softPurgeOnOneNode_isSeenByTheOthersNextRequest_andOneRevalidationServesBoth() {
    String prefix = "two-node:" + UUID.randomUUID() + ":";
    try (CacheEngine a = CacheEngine.builder(SoftPurgeAcrossNodes.policies(), store(prefix)).build();
        CacheEngine b = CacheEngine.builder(SoftPurgeAcrossNodes.policies(), store(prefix)).build()) {
      for (int round = 0; round < 20; round++) {
        SoftPurgeAcrossNodes.check(round % 2 == 0 ? a : b, round % 2 == 0 ? b : a, "r" + round, true);
      }
    }
  }

  @Test
  void entryCachedByOneNode_isAHitOnTheOtherAndGoneFromBothAfterAnEvent() {
    String prefix = "two-node:" + UUID.randomUUID() + ":";
    try (CacheEngine a = CacheEngine.builder(policies(), store(prefix)).build();
        CacheEngine b = CacheEngine.builder(policies(), store(prefix)).build()) {
      a.handle(CacheRequest.get("/api/products?category=x"), r -> CacheResponse.builder(200).body("one").build());
      CacheResponse shared = b.handle(CacheRequest.get("/api/products?category=x"),
          r -> CacheResponse.builder(200).body("b's own").build());
      assertEquals("one", shared.body().utf8());
      b.invalidate("product.updated");
      assertEquals("two", a.handle(CacheRequest.get("/api/products?category=x"),
          r -> CacheResponse.builder(200).body("two").build()).body().utf8());
    }
  }
}
