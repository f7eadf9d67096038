package dev.apicache.store.redis;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.apicache.spi.Counter;
import dev.apicache.spi.EntryKey;
import dev.apicache.spi.Fence;
import dev.apicache.store.caffeine.TieredStore;
import dev.apicache.store.redis.testing.RedisProcess;
import dev.apicache.testing.SoftPurgeAcrossNodes;
import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
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
    return node(prefix, channel, redis.uri(), Duration.ofSeconds(1));
  }

  /** A node whose bus reaches Redis at {@code busUri} (a proxy, say), with near copies leased for {@code lease}. */
  private TieredStore node(String prefix, String channel, String busUri, Duration lease) {
    return node(prefix, channel, busUri, lease, new AtomicInteger());
  }

  /** A node whose bus counts the drops it reports in {@code drops}. */
  private TieredStore node(String prefix, String channel, String busUri, Duration lease, AtomicInteger drops) {
    RedisStore far = RedisStore.builder(redis.uri()).keyPrefix(prefix).commandTimeout(Duration.ofSeconds(1)).build();
    RedisTesting.awaitConnected(far);
    RedisInvalidationBus bus = RedisInvalidationBus.create(RedisClient.create(busUri), channel);
    await("bus::isConnected")
        .atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(10)).until(bus::isConnected);
    RedisTesting.countDrops(bus, drops);
    TieredStore node = TieredStore.builder(far, bus).nearLease(lease).build();
    await("node::nearInUse")
        .atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(10)).until(node::nearInUse);
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

  /**
   * The bus confirms delivery: once a bump on one node returns, the other node no longer serves its
   * near copy, with no wait at all, every round.
   */
  @Test
  void invalidationOnOneNode_hasReachedTheOthersNearCopiesWhenItReturns() {
    String prefix = "tiered:" + UUID.randomUUID() + ":";
    try (TieredStore a = node(prefix, prefix + "bus"); TieredStore b = node(prefix, prefix + "bus")) {
      int rounds = 300;
      long[] bumpMicros = new long[rounds];
      for (int i = 0; i < rounds; i++) {
        EntryKey key = key("k" + i);
        fill(a, key, "v" + i);
        assertTrue(b.get(key).isPresent()); // now a near copy on b
        long t0 = System.nanoTime();
        (i % 2 == 0 ? a : b).bump(List.of(counter("p:x")));
        bumpMicros[i] = TimeUnit.NANOSECONDS.toMicros(System.nanoTime() - t0);
        assertTrue(b.get(key).isEmpty(), "round " + i + ": b served its copy after the invalidation returned");
        assertTrue(a.get(key).isEmpty(), "round " + i + ": a served its copy after the invalidation returned");
      }
      Arrays.sort(bumpMicros);
      System.out.printf("a confirmed invalidation between two nodes over %d rounds: p50 %d us, p99 %d us, max %d us%n",
          rounds, bumpMicros[rounds / 2], bumpMicros[rounds * 99 / 100], bumpMicros[rounds - 1]);
    }
  }

  /**
   * A node cut off from Redis while its connections stay open (a partition, a long pause) does not
   * acknowledge: the invalidation waits out the lease, and by then the cut-off node has stopped
   * serving near copies, for its bus could not confirm it is current.
   */
  @Test
  void aNodeThatCannotHearTheInvalidation_stopsServingNearCopiesBeforeItReturns() throws Exception {
    String prefix = "tiered:" + UUID.randomUUID() + ":";
    Duration lease = Duration.ofMillis(600);
    try (TcpProxy proxy = new TcpProxy(redis.port());
        TieredStore a = node(prefix, prefix + "bus", redis.uri(), lease);
        TieredStore b = node(prefix, prefix + "bus", proxy.uri(), lease)) {
      fill(a, key("k"), "v");
      assertTrue(b.get(key("k")).isPresent());
      proxy.blackhole(true);
      long t0 = System.nanoTime();
      a.bump(List.of(counter("p:x")));
      long tookMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
      assertTrue(tookMillis >= lease.toMillis(), "waited for b's acknowledgement until the lease ran out: " + tookMillis);
      assertTrue(b.get(key("k")).isEmpty(), "b, unable to confirm it is current, serves no near copy");
      proxy.blackhole(false);
      await("b::nearInUse").atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(10)).until(b::nearInUse);
      assertTrue(b.get(key("k")).isEmpty(), "the held message arrived in order: the copy is gone for good");
    }
  }

  /**
   * A bus that says it is connected can publish, confirmed, at once: the publisher opens before the
   * subscription reports in, and the ack channel is subscribed before the bus counts as connected.
   */
  @Test
  void aBusThatSaysItIsConnected_publishesConfirmedAtOnce() {
    for (int round = 0; round < 30; round++) {
      String channel = "tiered:" + UUID.randomUUID() + ":bus";
      try (RedisInvalidationBus bus = RedisInvalidationBus.create(RedisClient.create(redis.uri()), channel)) {
        await("bus::isConnected")
            .atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(1)).until(bus::isConnected);
        assertTrue(bus.publishConfirmed(List.of("products"), Duration.ofSeconds(10)), "round " + round);
      }
    }
  }

  /**
   * A subscription that goes quiet with its connection open (no heartbeat back for a second) counts
   * as dropped: its node forgets its near copies, and takes them up again once it hears Redis.
   */
  @Test
  void aSubscriptionThatGoesQuiet_countsAsDroppedUntilItIsHeardAgain() throws Exception {
    String prefix = "tiered:" + UUID.randomUUID() + ":";
    try (TcpProxy proxy = new TcpProxy(redis.port());
        TieredStore b = node(prefix, prefix + "bus", proxy.uri(), Duration.ofSeconds(30))) {
      fill(b, key("k"), "v");
      long before = evalshaCalls();
      assertTrue(b.get(key("k")).isPresent());
      assertEquals(before, evalshaCalls(), "a near hit");
      proxy.blackhole(true);
      // the lease (30 s) is far off: only the silence can turn the near copies off
      await("() -> !b.nearInUse()")
          .atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(10)).until(() -> !b.nearInUse());
      proxy.blackhole(false);
      await("b::nearInUse").atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(20)).until(b::nearInUse);
      before = evalshaCalls();
      assertTrue(b.get(key("k")).isPresent());
      assertEquals(before + 1, evalshaCalls(), "the near copy was dropped: read from Redis again");
    }
  }

  /**
   * A bus whose Redis is not up yet says so once, not on each of its retries, and connects once
   * Redis is there.
   */
  @Test
  void aBusStartedBeforeItsRedis_warnsOnce_andConnectsWhenRedisComesUp() throws Exception {
    java.util.logging.Logger log = java.util.logging.Logger.getLogger("dev.apicache.store.redis");
    List<String> warnings = new java.util.concurrent.CopyOnWriteArrayList<>();
    java.util.logging.Handler handler = new java.util.logging.Handler() {
      @Override
      public void publish(java.util.logging.LogRecord r) {
        if (r.getLevel() == java.util.logging.Level.WARNING && r.getMessage().contains("invalidation bus")) {
          warnings.add(r.getMessage());
        }
      }

      @Override
      public void flush() {}

      @Override
      public void close() {}
    };
    log.addHandler(handler);
    RedisProcess later = RedisProcess.notStarted(RedisProcess.freePort());
    try (RedisInvalidationBus bus = RedisInvalidationBus.create(RedisClient.create(later.uri()), "later:bus")) {
      await("() -> !warnings.isEmpty()")
          .atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(10)).until(() -> !warnings.isEmpty());
      // it retries every 500 ms: three more attempts, and still the one warning
      await("() -> warnings.size() == 1")
          .during(Duration.ofMillis(1600)).atMost(Duration.ofSeconds(60)).until(() -> warnings.size() == 1);
      assertTrue(warnings.get(0).contains("cannot reach Redis yet"), warnings.get(0));
      assertFalse(bus.isConnected());
      later.startAgain();
      await("bus::isConnected")
          .atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(20)).until(bus::isConnected);
      assertTrue(bus.publishConfirmed(List.of("products"), Duration.ofSeconds(10)));
    } finally {
      log.removeHandler(handler);
      later.close();
    }
  }

  /** A subscriber that never acknowledges (a foreign one, an older node) costs each confirmed publish its limit. */
  @Test
  void aSubscriberThatDoesNotAcknowledge_makesAConfirmedPublishWaitItsLimit() {
    String channel = "tiered:" + UUID.randomUUID() + ":bus";
    RedisClient foreignClient = RedisClient.create(redis.uri());
    try (RedisInvalidationBus bus = RedisInvalidationBus.create(RedisClient.create(redis.uri()), channel);
        var foreign = foreignClient.connectPubSub()) {
      foreign.sync().subscribe(channel);
      await("bus::isConnected")
          .atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(10)).until(bus::isConnected);
      assertTrue(bus.confirmsDelivery());
      long t0 = System.nanoTime();
      assertFalse(bus.publishConfirmed(List.of("products"), Duration.ofMillis(300)));
      assertTrue(System.nanoTime() - t0 >= TimeUnit.MILLISECONDS.toNanos(300));
      foreign.sync().unsubscribe(channel);
      assertTrue(bus.publishConfirmed(List.of("products"), Duration.ofSeconds(10)), "only this bus's own node now");
    } finally {
      foreignClient.shutdown();
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
      await("() -> b.getWatching(key(\"w\"), fence, watched).orElseThrow().counters().value(0) != 0L")
          .atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(1))
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
    AtomicInteger drops = new AtomicInteger();
    try (TieredStore a = node(prefix, prefix + "bus");
        TieredStore b = node(prefix, prefix + "bus", redis.uri(), Duration.ofSeconds(1), drops)) {
      fill(a, key("k"), "v");
      assertTrue(b.get(key("k")).isPresent());
      adminConnection.sync().clientKill(io.lettuce.core.KillArgs.Builder.typePubsub());
      // Lettuce may be back within a millisecond: the drop is asserted as reported, not as a state
      await("() -> drops.get() > 0")
          .atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(5)).until(() -> drops.get() > 0);
      a.bump(List.of(counter("p:x"))); // b may never hear of this one
      assertTrue(b.get(key("k")).isEmpty());
      await("b::nearInUse").atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(20)).until(b::nearInUse);
      assertTrue(b.get(key("k")).isEmpty());
      fill(b, key("k2"), "v2");
      assertTrue(a.get(key("k2")).isPresent(), "the nodes share entries again through Redis");
    }
  }
}
