package dev.apicache.store.redis;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.apicache.spi.Counter;
import dev.apicache.spi.EntryKey;
import dev.apicache.spi.Fence;
import dev.apicache.store.caffeine.TieredStore;
import dev.apicache.store.redis.testing.RedisClusterProcess;
import io.lettuce.core.KillArgs;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.cluster.RedisClusterClient;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Two tiered nodes over a 3-master Redis Cluster of the test's own: the bus confirms delivery there
 * too, through sharded pub/sub on one slot, so an invalidation that returned has reached the other
 * node's near copies; a subscription the cluster drops is taken up again.
 */
class TieredRedisClusterTest {
  private static RedisClusterProcess cluster;

  @BeforeAll
  static void startCluster() throws Exception {
    cluster = RedisClusterProcess.start();
  }

  @AfterAll
  static void stopCluster() {
    cluster.close();
  }

  private static EntryKey key(String id) {
    return new EntryKey("products", id);
  }

  private static Counter counter(String id) {
    return new Counter("products", id);
  }

  private static TieredStore node(String prefix, String channel) {
    return node(prefix, channel, new AtomicInteger());
  }

  /** A node whose bus counts the drops it reports in {@code drops}. */
  private static TieredStore node(String prefix, String channel, AtomicInteger drops) {
    RedisStore far = RedisStore.cluster(cluster.uris()).keyPrefix(prefix).commandTimeout(Duration.ofSeconds(2)).build();
    RedisTesting.awaitConnected(far);
    RedisInvalidationBus bus = RedisInvalidationBus.create(
        RedisClusterClient.create(cluster.uris().stream().map(RedisURI::create).toList()), channel);
    await("bus::isConnected")
        .atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(10)).until(bus::isConnected);
    RedisTesting.countDrops(bus, drops);
    TieredStore node = TieredStore.builder(far, bus).build();
    await("node::nearInUse")
        .atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(10)).until(node::nearInUse);
    return node;
  }

  private static void fill(TieredStore node, EntryKey key, String value) {
    Fence f = node.fence(List.of(counter("p:x")));
    assertTrue(node.put(key, value.getBytes(StandardCharsets.UTF_8), Duration.ofMinutes(5), f));
  }

  /** Each node's sharded channels, by cluster node: every channel of the bus lives on one node. */
  private static List<List<String>> shardChannelsPerNode(String channel) {
    List<List<String>> perNode = new ArrayList<>();
    for (String uri : cluster.uris()) {
      RedisClient client = RedisClient.create(uri);
      try (StatefulRedisConnection<String, String> c = client.connect()) {
        perNode.add(c.sync().pubsubShardChannels(channel + "*"));
      } finally {
        client.shutdown();
      }
    }
    return perNode;
  }

  @Test
  void theBusChannels_shareOneSlot_onOneNode() {
    String prefix = "tiered:" + UUID.randomUUID() + ":";
    String wrapped = RedisInvalidationBus.inOneSlot(prefix + "bus");
    assertEquals("{" + prefix + "bus}", wrapped);
    assertEquals("app:{bus}:x", RedisInvalidationBus.inOneSlot("app:{bus}:x"), "a name with a hash tag is kept");
    assertEquals("{a{}b}", RedisInvalidationBus.inOneSlot("a{}b"), "an empty tag is no tag");
    try (TieredStore a = node(prefix, prefix + "bus"); TieredStore b = node(prefix, prefix + "bus")) {
      assertTrue(a.nearInUse() && b.nearInUse());
      List<List<String>> perNode = shardChannelsPerNode("{" + prefix);
      long nodesWithChannels = perNode.stream().filter(l -> !l.isEmpty()).count();
      assertEquals(1, nodesWithChannels, "one node holds the bus's channels: " + perNode);
      assertEquals(5, perNode.stream().mapToInt(List::size).sum(),
          "the shared channel and each node's ack and heartbeat channels: " + perNode);
    }
  }

  /** The same promise as on standalone Redis: no wait after the bump, every round. */
  @Test
  void invalidationOnOneNode_hasReachedTheOthersNearCopiesWhenItReturns() {
    String prefix = "tiered:" + UUID.randomUUID() + ":";
    try (TieredStore a = node(prefix, prefix + "bus"); TieredStore b = node(prefix, prefix + "bus")) {
      for (int i = 0; i < 200; i++) {
        EntryKey key = key("k" + i);
        fill(a, key, "v" + i);
        assertTrue(b.get(key).isPresent(), "round " + i + ": b reads a's entry through the cluster");
        (i % 2 == 0 ? a : b).bump(List.of(counter("p:x")));
        assertTrue(b.get(key).isEmpty(), "round " + i + ": b served its copy after the invalidation returned");
        assertTrue(a.get(key).isEmpty(), "round " + i + ": a served its copy after the invalidation returned");
      }
    }
  }

  /**
   * The cluster node that holds the channels drops every subscriber: near copies stop at once, an
   * invalidation made meanwhile is never undone, and the bus subscribes again by itself.
   */
  @Test
  void droppedShardSubscription_turnsNearCopiesOffUntilItIsBack() {
    String prefix = "tiered:" + UUID.randomUUID() + ":";
    AtomicInteger drops = new AtomicInteger();
    try (TieredStore a = node(prefix, prefix + "bus"); TieredStore b = node(prefix, prefix + "bus", drops)) {
      fill(a, key("k"), "v");
      assertTrue(b.get(key("k")).isPresent());
      List<List<String>> perNode = shardChannelsPerNode("{" + prefix);
      String owner = null;
      for (int i = 0; i < perNode.size(); i++) {
        if (!perNode.get(i).isEmpty()) {
          owner = cluster.uris().get(i);
        }
      }
      RedisClient client = RedisClient.create(owner);
      try (StatefulRedisConnection<String, String> c = client.connect()) {
        c.sync().clientKill(KillArgs.Builder.typePubsub());
      } finally {
        client.shutdown();
      }
      // Lettuce may be back within a millisecond: the drop is asserted as reported, not as a state
      await("() -> drops.get() > 0")
          .atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(5)).until(() -> drops.get() > 0);
      a.bump(List.of(counter("p:x"))); // b may never hear of this one
      assertTrue(b.get(key("k")).isEmpty());
      await("b::nearInUse").atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(20)).until(b::nearInUse);
      await("a::nearInUse").atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(20)).until(a::nearInUse);
      assertTrue(b.get(key("k")).isEmpty(), "the invalidation made while b was away still holds");
      fill(a, key("k2"), "v2");
      assertTrue(b.get(key("k2")).isPresent());
      a.bump(List.of(counter("p:x")));
      assertTrue(b.get(key("k2")).isEmpty(), "invalidations are confirmed again once the bus is back");
    }
  }

  /**
   * The cluster moves the channels' slot to another master, and soon after to a third: the
   * subscribers get SUNSUBSCRIBE, each bus subscribes again on the new owner by itself, and
   * invalidations are confirmed as before. The second move comes within Lettuce's 30 s hold on
   * adaptive topology refreshes, so a bus that waited for one would still ask the old owner.
   */
  @Test
  void theChannelsSlotMovedToAnotherNode_andAgain_theBusFollowsIt() {
    String prefix = "tiered:" + UUID.randomUUID() + ":";
    AtomicInteger drops = new AtomicInteger();
    try (TieredStore a = node(prefix, prefix + "bus"); TieredStore b = node(prefix, prefix + "bus", drops)) {
      List<String> uris = cluster.uris();
      int owner = -1;
      List<List<String>> perNode = shardChannelsPerNode("{" + prefix);
      for (int i = 0; i < perNode.size(); i++) {
        if (!perNode.get(i).isEmpty()) {
          owner = i;
        }
      }
      int slot = admin(uris.get(owner), c -> c.sync().clusterKeyslot("{" + prefix + "bus}")).intValue();
      for (int move = 1; move <= 2; move++) {
        int source = (owner + move - 1) % uris.size();
        int target = (owner + move) % uris.size();
        int dropsBefore = drops.get();
        String sourceId = admin(uris.get(source), c -> c.sync().clusterMyId());
        String targetId = admin(uris.get(target), c -> c.sync().clusterMyId());
        // a reshard, as redis-cli does one: the slot holds channels, no keys, so nothing migrates;
        // the new owner takes it first, out of its importing state, which raises its config epoch
        // above the old owner's so that every node ends up agreeing
        admin(uris.get(target), c -> c.sync().clusterSetSlotImporting(slot, sourceId));
        admin(uris.get(source), c -> c.sync().clusterSetSlotMigrating(slot, targetId));
        admin(uris.get(target), c -> c.sync().clusterSetSlotNode(slot, targetId));
        admin(uris.get(source), c -> c.sync().clusterSetSlotNode(slot, targetId));
        for (int i = 0; i < uris.size(); i++) {
          if (i != target && i != source) {
            admin(uris.get(i), c -> c.sync().clusterSetSlotNode(slot, targetId));
          }
        }
        int moved = target;
        try {
          await("() -> shardChannelsPerNode(\"{\" + prefix).get(moved).size() == 5")
              .atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(50))
              .until(() -> shardChannelsPerNode("{" + prefix).get(moved).size() == 5);
        } catch (org.awaitility.core.ConditionTimeoutException e) {
          throw new AssertionError("move " + move + " to node " + moved + ": both buses' five channels are not on it;"
              + " channels per node: " + shardChannelsPerNode("{" + prefix) + ", near copies in use: a "
              + a.nearInUse() + ", b " + b.nearInUse() + ", drops heard by b: " + drops.get(), e);
        }
        assertTrue(drops.get() > dropsBefore, "move " + move + ": b heard that its subscription moved");
        await("() -> a.nearInUse() && b.nearInUse()")
            .atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(10)).until(() -> a.nearInUse() && b.nearInUse());
        for (int i = 0; i < 20; i++) {
          EntryKey key = key("m" + move + "-" + i);
          fill(a, key, "v" + i);
          assertTrue(b.get(key).isPresent());
          (i % 2 == 0 ? a : b).bump(List.of(counter("p:x")));
          assertTrue(b.get(key).isEmpty(), "move " + move + ", round " + i + ": b served its copy after the invalidation returned");
          assertTrue(a.get(key).isEmpty(), "move " + move + ", round " + i + ": a served its copy after the invalidation returned");
        }
      }
    }
  }

  private static <T> T admin(String uri, java.util.function.Function<StatefulRedisConnection<String, String>, T> call) {
    RedisClient client = RedisClient.create(uri);
    try (StatefulRedisConnection<String, String> c = client.connect()) {
      return call.apply(c);
    } finally {
      client.shutdown();
    }
  }
}
