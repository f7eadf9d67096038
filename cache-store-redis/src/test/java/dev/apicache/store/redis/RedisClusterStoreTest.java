package dev.apicache.store.redis;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.apicache.CacheEngine;
import dev.apicache.CachePolicies;
import dev.apicache.CachePolicy;
import dev.apicache.CacheRequest;
import dev.apicache.CacheResponse;
import dev.apicache.http.HeaderNames;
import dev.apicache.spi.Store;
import dev.apicache.store.redis.testing.RedisClusterProcess;
import dev.apicache.testing.ManualClock;
import dev.apicache.testing.StoreContract;
import java.time.Duration;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The store contract, and the engine, on a 3-master Redis Cluster started for this class. */
class RedisClusterStoreTest extends StoreContract {
  private static RedisClusterProcess cluster;

  @BeforeAll
  static void startCluster() throws Exception {
    cluster = RedisClusterProcess.start();
  }

  @AfterAll
  static void stopCluster() {
    cluster.close();
  }

  @Override
  protected Store createStore(ManualClock clock) {
    RedisStore store = RedisStore.cluster(cluster.uris()).keyPrefix("test:" + UUID.randomUUID() + ":")
        .commandTimeout(Duration.ofSeconds(2)).build();
    RedisTesting.awaitConnected(store);
    return store;
  }

  @Override
  protected void advance(Duration amount) {
  }

  @Test
  void policiesSpreadOverTheMasters_eachInvalidatedOnItsOwn() {
    CachePolicies.Builder policies = CachePolicies.builder();
    for (int i = 0; i < 12; i++) {
      policies.add(CachePolicy.forRoute("/api/r" + i + "/{id}").ttl(Duration.ofMinutes(1)).invalidateOn("e" + i)
          .tags("item:{id}").build());
    }
    RedisStore store = (RedisStore) createStore(clock);
    try (CacheEngine engine = CacheEngine.builder(policies.build(), store).build()) {
      for (int i = 0; i < 12; i++) {
        engine.handle(CacheRequest.get("/api/r" + i + "/1"), r -> CacheResponse.builder(200).body("x").build());
        assertEquals("HIT", xCache(engine, "/api/r" + i + "/1"));
      }
      engine.invalidate("e3");
      engine.invalidateTags("item:1");
      for (int i = 0; i < 12; i++) {
        assertEquals("MISS", xCache(engine, "/api/r" + i + "/1"), "route " + i);
      }
      assertEquals(0, engine.stats().total().storeErrors());
    }
  }

  private static String xCache(CacheEngine engine, String path) {
    return engine.handle(CacheRequest.get(path), r -> CacheResponse.builder(200).body("x").build()).headers()
        .first(HeaderNames.X_CACHE).orElseThrow();
  }
}
