package dev.apicache.store.redis;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.apicache.CacheEngine;
import dev.apicache.CachePolicies;
import dev.apicache.CachePolicy;
import dev.apicache.CacheRequest;
import dev.apicache.CacheResponse;
import dev.apicache.CacheStats;
import dev.apicache.store.caffeine.CaffeineStore;
import java.time.Duration;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class ClusterStatsTest {
  private static CacheEngine engine() {
    return CacheEngine.builder(CachePolicies.builder()
        .add(CachePolicy.forRoute("/api/a").ttl(Duration.ofMinutes(1)).build())
        .add(CachePolicy.forRoute("/api/b").ttl(Duration.ZERO).build()).build(), CaffeineStore.builder().build()).build();
  }

  private static void get(CacheEngine engine, String path, int times) {
    for (int i = 0; i < times; i++) {
      engine.handle(CacheRequest.get(path), r -> CacheResponse.builder(200).body("x").build());
    }
  }

  @Test
  void clusterSnapshot_sumsTheLastCountersOfEveryNode() {
    String prefix = "stats:" + UUID.randomUUID() + ":";
    try (CacheEngine one = engine(); CacheEngine two = engine();
        ClusterStats a = ClusterStats.start(one, RedisStoreTest.redisUri(), prefix, "a", Duration.ofMinutes(10));
        ClusterStats b = ClusterStats.start(two, RedisStoreTest.redisUri(), prefix, "b", Duration.ofMinutes(10))) {
      get(one, "/api/a", 5); // 1 miss, 4 hits
      get(two, "/api/a", 3); // 1 miss, 2 hits
      get(two, "/api/b", 2); // 2 bypasses
      a.flush();
      b.flush();
      b.flush(); // absolute counters: writing twice counts once
      CacheStats cluster = a.clusterSnapshot();
      assertEquals(6, cluster.total().hits());
      assertEquals(2, cluster.total().misses());
      assertEquals(2, cluster.total().bypasses());
      assertEquals(2L, cluster.total().bypassReasons().get("ttl-0"));
      assertEquals(6, cluster.policy("/api/a").hits());
      assertEquals(0.75, cluster.total().hitRate(), 1e-9);
      b.close();
      assertEquals(4, a.clusterSnapshot().total().hits(), "a closed node leaves the sum");
    }
  }

  /** One prefix holds everything a service keeps in Redis: the stats go under the store's own. */
  @Test
  void statsKeys_liveUnderThePrefixTheyAreGiven() {
    String prefix = "svc-" + UUID.randomUUID() + ":";
    io.lettuce.core.RedisClient client = io.lettuce.core.RedisClient.create(RedisStoreTest.redisUri());
    try (CacheEngine e = engine(); ClusterStats stats = ClusterStats.start(e, RedisStoreTest.redisUri(), prefix,
            Duration.ofMinutes(10));
        io.lettuce.core.api.StatefulRedisConnection<String, String> c = client.connect()) {
      get(e, "/api/a", 2);
      stats.flush();
      assertEquals(1L, c.sync().exists(prefix + "{stats}nodes"));
      assertEquals(1L, c.sync().exists(prefix + "{stats}node:" + stats.nodeId()));
      assertEquals(1, stats.clusterSnapshot().total().hits());
    } finally {
      client.shutdown();
    }
  }

  @Test
  void encoding_roundTripsEveryCounter() {
    try (CacheEngine e = engine()) {
      get(e, "/api/a", 3);
      get(e, "/api/b", 1);
      get(e, "/nowhere", 1);
      CacheStats s = e.stats();
      CacheStats back = ClusterStats.decode(ClusterStats.encode(s));
      assertEquals(s.total(), back.total());
      assertEquals(s.byPolicy(), back.byPolicy());
    }
  }
}
