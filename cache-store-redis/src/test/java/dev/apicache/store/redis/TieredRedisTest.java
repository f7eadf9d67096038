package dev.apicache.store.redis;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.apicache.spi.Counter;
import dev.apicache.spi.EntryKey;
import dev.apicache.spi.Fence;
import dev.apicache.store.caffeine.TieredStore;
import dev.apicache.testing.SoftPurgeAcrossNodes;
import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Two nodes, each a TieredStore over its own RedisStore and RedisInvalidationBus connections, on a
 * private redis-server: near hits cost no command, invalidations reach the other node within a
 * measured lag, and a dropped subscription cannot leave a stale near copy.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class TieredRedisTest {
  private static EntryKey key(String id) {
    return new EntryKey("products", id);
  }

  private static Counter counter(String id) {
    return new Counter("products", id);
  }
  private RedisProcess redis;
  private RedisClient admin;
  private StatefulRedisConnection<String, String> adminConnection;

  @BeforeAll
  void start() throws Exception {
    redis = RedisProcess.start();
    admin = RedisClient.create(redis.uri());
    adminConnection = admin.connect();
  }

  @AfterAll
  void stop() {
    adminConnection.close();
    admin.shutdown();
    redis.close();
  }

  private TieredStore node(String prefix, String channel) {
    RedisStore far = RedisStore.builder(redis.uri()).keyPrefix(prefix).commandTimeout(Duration.ofSeconds(1)).build();
    RedisTesting.awaitConnected(far);
    RedisInvalidationBus bus = RedisInvalidationBus.create(RedisClient.create(redis.uri()), channel);
    await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(10)).until(bus::isConnected);
    TieredStore node = TieredStore.builder(far, bus).build();
    await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(10)).until(node::nearInUse);
    return node;
  }

  private static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  private static void fill(TieredStore node, EntryKey key, String value) {
    Fence f = node.fence(List.of(counter("p:x")));
    assertTrue(node.put(key, bytes(value), Duration.ofMinutes(5), f));
  }

  private long evalshaCalls() {
    return RedisTesting.commandStats(adminConnection).getOrDefault("evalsha", 0L);
  }

  @Test
  void nearHit_sendsNoCommandToRedis() {
    String prefix = "tiered:" + UUID.randomUUID() + ":";
    try (TieredStore a = node(prefix, prefix + "bus")) {
      fill(a, key("k"), "v");
      long before = evalshaCalls();
      for (int i = 0; i < 100; i++) {
        assertTrue(a.get(key("k")).isPresent());
      }
      assertEquals(before, evalshaCalls());
    }
  }

  @Test
  void invalidationOnOneNode_reachesTheOthersNearCopiesWithinAMeasuredLag() {
    String prefix = "tiered:" + UUID.randomUUID() + ":";
    try (TieredStore a = node(prefix, prefix + "bus"); TieredStore b = node(prefix, prefix + "bus")) {
      int rounds = 200;
      long[] lagMicros = new long[rounds];
      for (int i = 0; i < rounds; i++) {
        EntryKey key = key("k" + i);
        fill(a, key, "v" + i);
        assertTrue(b.get(key).isPresent()); // now a near copy on b
        a.bump(List.of(counter("p:x")));
        long returned = System.nanoTime();
        while (b.get(key).isPresent()) {
          assertTrue(System.nanoTime() - returned < TimeUnit.SECONDS.toNanos(5), "round " + i + ": b kept its copy");
          Thread.onSpinWait();
        }
        lagMicros[i] = TimeUnit.NANOSECONDS.toMicros(System.nanoTime() - returned);
      }
      Arrays.sort(lagMicros);
      System.out.printf("near-copy invalidation lag between two nodes over %d rounds: p50 %d us, p99 %d us, max %d us%n",
          rounds, lagMicros[rounds / 2], lagMicros[rounds * 99 / 100], lagMicros[rounds - 1]);
    }
  }

  @Test
  void watchedCounters_comeWithTheNearCopy_andABumpOnTheOtherNodeReachesThem() {
    String prefix = "tiered:" + UUID.randomUUID() + ":";
    try (TieredStore a = node(prefix, prefix + "bus"); TieredStore b = node(prefix, prefix + "bus")) {
      fill(a, key("w"), "v");
      List<Counter> fence = List.of(counter("p:x"));
      List<Counter> watched = List.of(counter("su:/w"));
      assertEquals(0L, b.getWatching(key("w"), fence, watched).orElseThrow().counters().value(0));
      long before = evalshaCalls();
      for (int i = 0; i < 100; i++) {
        assertEquals(0L, b.getWatching(key("w"), fence, watched).orElseThrow().counters().value(0));
      }
      assertEquals(before, evalshaCalls(), "the near copy remembers the watched values its far read came with");
      a.bump(watched);
      await().atMost(Duration.ofSeconds(5)).pollInterval(Duration.ofMillis(1))
          .until(() -> b.getWatching(key("w"), fence, watched).orElseThrow().counters().value(0) != 0L);
      assertArrayEquals(bytes("v"), b.getWatching(key("w"), fence, watched).orElseThrow().entry(),
          "a watched counter never fences the entry");
    }
  }

  @Test
  void softPurgeThroughTieredEngines_reachesTheOtherNode() {
    String prefix = "tiered:" + UUID.randomUUID() + ":";
    try (dev.apicache.CacheEngine a = dev.apicache.CacheEngine.builder(SoftPurgeAcrossNodes.policies(),
            node(prefix, prefix + "bus")).build();
        dev.apicache.CacheEngine b = dev.apicache.CacheEngine.builder(SoftPurgeAcrossNodes.policies(),
            node(prefix, prefix + "bus")).build()) {
      for (int round = 0; round < 10; round++) {
        SoftPurgeAcrossNodes.check(round % 2 == 0 ? a : b, round % 2 == 0 ? b : a, "r" + round, false);
      }
    }
  }

  @Test
  void droppedSubscription_turnsNearCopiesOffUntilItIsBack() {
    String prefix = "tiered:" + UUID.randomUUID() + ":";
    try (TieredStore a = node(prefix, prefix + "bus"); TieredStore b = node(prefix, prefix + "bus")) {
      fill(a, key("k"), "v");
      assertTrue(b.get(key("k")).isPresent());
      adminConnection.sync().clientKill(io.lettuce.core.KillArgs.Builder.typePubsub());
      await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(5)).until(() -> !b.nearInUse());
      a.bump(List.of(counter("p:x"))); // b may never hear of this one
      assertTrue(b.get(key("k")).isEmpty());
      await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(20)).until(b::nearInUse);
      assertTrue(b.get(key("k")).isEmpty());
      fill(b, key("k2"), "v2");
      assertTrue(a.get(key("k2")).isPresent(), "the nodes share entries again through Redis");
    }
  }
}
