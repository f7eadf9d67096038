package dev.apicache.store.hazelcast;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.hazelcast.core.HazelcastInstance;
import dev.apicache.CacheEngine;
import dev.apicache.CachePolicies;
import dev.apicache.CachePolicy;
import dev.apicache.CacheRequest;
import dev.apicache.CacheResponse;
import dev.apicache.Origin;
import dev.apicache.http.HeaderNames;
import dev.apicache.spi.Counter;
import dev.apicache.spi.EntryKey;
import dev.apicache.spi.Fence;
import dev.apicache.store.caffeine.TieredStore;
import dev.apicache.testing.SoftPurgeAcrossNodes;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Three members in this JVM (loopback, TCP-IP join) serving two engines, plus a client: shared
 * entries and invalidations, a member killed mid-traffic, and near copies over the topic bus.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@org.junit.jupiter.api.TestMethodOrder(org.junit.jupiter.api.MethodOrderer.OrderAnnotation.class)
class HazelcastClusterTest {
  /**
   * The bound on every store call and wait these tests make: none of them is about a timeout, and a
   * machine running other builds beside this one must not turn a slow call into a miss.
   */
  private static final Duration PATIENT = Duration.ofSeconds(30);
  private final HazelcastTesting.TestCluster cluster = new HazelcastTesting.TestCluster(3);
  private HazelcastInstance one;
  private HazelcastInstance two;
  private HazelcastInstance three;

  @BeforeAll
  void startCluster() {
    one = cluster.member();
    two = cluster.member();
    three = cluster.member();
    await("() -> one.getCluster().getMembers().size() == 3")
        .atMost(Duration.ofSeconds(60)).until(() -> one.getCluster().getMembers().size() == 3);
  }

  @AfterAll
  void stopCluster() {
    for (HazelcastInstance m : new HazelcastInstance[] {one, two, three}) {
      if (m.getLifecycleService().isRunning()) {
        m.shutdown();
      }
    }
  }

  private static CachePolicies policies() {
    return CachePolicies.builder()
        .add(CachePolicy.forRoute("/api/products/{id}").ttl(Duration.ofMinutes(5)).invalidateOn("product.updated")
            .tags("product:{id}").build())
        .build();
  }

  private static CacheEngine engine(HazelcastInstance instance, String map) {
    return CacheEngine.builder(policies(), HazelcastStore.create(instance, map)).storeTimeout(PATIENT)
        .build();
  }

  private static String xCache(CacheResponse r) {
    return r.headers().first(HeaderNames.X_CACHE).orElse("");
  }

  @Test
  void twoEnginesOnTwoMembers_shareEntriesAndInvalidations() {
    String map = "shared-" + UUID.randomUUID();
    try (CacheEngine a = engine(one, map); CacheEngine b = engine(two, map)) {
      a.handle(CacheRequest.get("/api/products/1"), r -> CacheResponse.builder(200).body("v1").build());
      CacheResponse onB = b.handle(CacheRequest.get("/api/products/1"), r -> CacheResponse.builder(200).body("b").build());
      assertEquals("HIT", xCache(onB));
      assertEquals("v1", onB.body().utf8());
      b.invalidateTags("product:1");
      assertEquals("v2", a.handle(CacheRequest.get("/api/products/1"),
          r -> CacheResponse.builder(200).body("v2").build()).body().utf8());
    }
  }

  @Test
  void softPurgeOnOneMember_isSeenOnTheOther_plainAndTiered() {
    String map = "soft-" + UUID.randomUUID();
    try (CacheEngine a = CacheEngine.builder(SoftPurgeAcrossNodes.policies(), HazelcastStore.create(one, map))
            .storeTimeout(PATIENT).build();
        CacheEngine b = CacheEngine.builder(SoftPurgeAcrossNodes.policies(), HazelcastStore.create(two, map))
            .storeTimeout(PATIENT).build()) {
      SoftPurgeAcrossNodes.check(a, b, "plain", true);
    }
    String tieredMap = "soft-tiered-" + UUID.randomUUID();
    String topic = "bus-" + UUID.randomUUID();
    try (CacheEngine a = CacheEngine.builder(SoftPurgeAcrossNodes.policies(), TieredStore.builder(
            HazelcastStore.create(one, tieredMap), HazelcastInvalidationBus.create(one, topic)).farTimeout(PATIENT).build())
            .storeTimeout(PATIENT).build();
        CacheEngine b = CacheEngine.builder(SoftPurgeAcrossNodes.policies(), TieredStore.builder(
            HazelcastStore.create(two, tieredMap), HazelcastInvalidationBus.create(two, topic)).farTimeout(PATIENT).build())
            .storeTimeout(PATIENT).build()) {
      SoftPurgeAcrossNodes.check(a, b, "tiered", false);
    }
  }

  @Test
  void clientOfTheCluster_seesWhatMembersCached() {
    String map = "client-" + UUID.randomUUID();
    HazelcastInstance client = HazelcastTesting.client(cluster.name, one);
    try (CacheEngine member = engine(one, map); CacheEngine overClient = engine(client, map)) {
      member.handle(CacheRequest.get("/api/products/7"), r -> CacheResponse.builder(200).body("from member").build());
      CacheResponse r = overClient.handle(CacheRequest.get("/api/products/7"),
          req -> CacheResponse.builder(200).body("client's own").build());
      assertEquals("HIT", xCache(r));
      assertEquals("from member", r.body().utf8());
      overClient.invalidate("product.updated");
      assertEquals("MISS", xCache(member.handle(CacheRequest.get("/api/products/7"),
          req -> CacheResponse.builder(200).body("x").build())));
    } finally {
      client.shutdown();
    }
  }

  /**
   * The bus confirms delivery: once a bump returns, no node (two members and a client) serves its
   * near copy, with no wait at all, every round.
   */
  @Test
  void nearCopiesOverHazelcast_areGoneOnEveryNodeWhenTheInvalidationReturns() {
    String map = "tiered-" + UUID.randomUUID();
    String bus = "bus-" + UUID.randomUUID();
    HazelcastInstance client = HazelcastTesting.client(cluster.name, one);
    try (TieredStore a = tiered(one, map, bus); TieredStore b = tiered(two, map, bus);
        TieredStore c = tiered(client, map, bus)) {
      Counter counter = new Counter("products", "p:x");
      List<TieredStore> nodes = List.of(a, b, c);
      for (int i = 0; i < 150; i++) {
        EntryKey key = new EntryKey("products", "k" + i);
        Fence f = a.fence(List.of(counter));
        assertTrue(a.put(key, ("v" + i).getBytes(StandardCharsets.UTF_8), Duration.ofMinutes(1), f));
        assertTrue(b.get(key).isPresent() && c.get(key).isPresent(), "round " + i + ": near copies on b and c");
        nodes.get(i % 3).bump(List.of(counter));
        for (int n = 0; n < 3; n++) {
          assertTrue(nodes.get(n).get(key).isEmpty(), "round " + i + ": node " + n + " served its copy after the invalidation returned");
        }
      }
    } finally {
      client.shutdown();
    }
  }

  /** A registered node that never acknowledges (stuck, or gone without deregistering) costs each confirmed publish its limit. */
  @Test
  void aRegisteredNodeThatDoesNotAcknowledge_makesAConfirmedPublishWaitItsLimit() {
    String name = "bus-" + UUID.randomUUID();
    try (HazelcastInvalidationBus bus = HazelcastInvalidationBus.create(one, name)) {
      await("bus::isConnected")
          .atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(10)).until(bus::isConnected);
      assertTrue(bus.publishConfirmed(List.of("products"), PATIENT), "only this bus's own node");
      one.<String, String>getMap(name + ":nodes").set("ghost", "c:" + UUID.randomUUID(), 1, TimeUnit.MINUTES);
      long t0 = System.nanoTime();
      assertFalse(bus.publishConfirmed(List.of("products"), Duration.ofMillis(300)));
      assertTrue(System.nanoTime() - t0 >= TimeUnit.MILLISECONDS.toNanos(300));
      one.getMap(name + ":nodes").delete("ghost");
      assertTrue(bus.publishConfirmed(List.of("products"), PATIENT), "the ghost is gone");
    }
  }

  /** A member that has left the cluster serves nothing of it: its registration is not waited for. */
  @Test
  void aMemberThatLeftTheCluster_isNotWaitedFor() {
    String name = "bus-" + UUID.randomUUID();
    try (HazelcastInvalidationBus bus = HazelcastInvalidationBus.create(one, name)) {
      await("bus::isConnected")
          .atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(10)).until(bus::isConnected);
      one.<String, String>getMap(name + ":nodes").set("departed", "m:" + UUID.randomUUID(), 1, TimeUnit.MINUTES);
      assertTrue(bus.publishConfirmed(List.of("products"), Duration.ofSeconds(30)));
    }
  }

  /**
   * A node that falls further behind than its ringbuffer holds has lost messages: it reports the
   * connection lost (its near copies go), then restored once it reads from the oldest message kept.
   */
  @Test
  void aNodeThatFallsBehindTheRingbuffer_startsOverWithoutItsNearCopies() throws Exception {
    String name = "small-bus-" + UUID.randomUUID();
    one.getConfig().addRingBufferConfig(new com.hazelcast.config.RingbufferConfig(name).setCapacity(16));
    java.util.concurrent.CountDownLatch held = new java.util.concurrent.CountDownLatch(1);
    java.util.concurrent.CountDownLatch release = new java.util.concurrent.CountDownLatch(1);
    AtomicInteger lost = new AtomicInteger();
    AtomicInteger restored = new AtomicInteger();
    List<String> heard = new java.util.concurrent.CopyOnWriteArrayList<>();
    try (HazelcastInvalidationBus slow = HazelcastInvalidationBus.create(one, name);
        HazelcastInvalidationBus writer = HazelcastInvalidationBus.create(two, name)) {
      await("slow::isConnected")
          .atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(10)).until(slow::isConnected);
      slow.subscribe(new dev.apicache.spi.InvalidationBus.Listener() {
        @Override
        public void invalidated(java.util.Collection<String> partitions) {
          heard.addAll(partitions);
          if (partitions.contains("first")) {
            held.countDown();
            try {
              release.await(30, TimeUnit.SECONDS); // the node stalls on its reading thread
            } catch (InterruptedException e) {
              Thread.currentThread().interrupt();
            }
          }
        }

        @Override
        public void connectionLost() {
          lost.incrementAndGet();
        }

        @Override
        public void connectionRestored() {
          restored.incrementAndGet();
        }
      });
      writer.publish(List.of("first"));
      assertTrue(held.await(60, TimeUnit.SECONDS), "the slow node never heard the first message");
      long tail = one.getRingbuffer(name).tailSequence();
      for (int i = 0; i < 40; i++) {
        writer.publish(List.of("p" + i));
      }
      await("() -> one.getRingbuffer(name).tailSequence() >= tail + 40")
          .atMost(Duration.ofSeconds(60)).until(() -> one.getRingbuffer(name).tailSequence() >= tail + 40);
      release.countDown();
      await("() -> restored.get() > 0")
          .atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(10)).until(() -> restored.get() > 0);
      assertTrue(lost.get() > 0, "the loss was reported before the node went on");
      assertTrue(slow.isConnected());
      assertFalse(heard.contains("p0"), "p0 was overwritten before the node could read it");
      writer.publish(List.of("after"));
      await("() -> heard.contains(\"after\")")
          .atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(10)).until(() -> heard.contains("after"));
    }
  }

  private static TieredStore tiered(HazelcastInstance instance, String map, String bus) {
    TieredStore node = TieredStore.builder(HazelcastStore.create(instance, map),
        HazelcastInvalidationBus.create(instance, bus)).farTimeout(PATIENT).build();
    await("node::nearInUse")
        .atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(10)).until(node::nearInUse);
    return node;
  }

  /** Runs last (a member is gone afterwards). */
  @Test
  @org.junit.jupiter.api.Order(Integer.MAX_VALUE)
  void zz_memberKilledMidTraffic_failsNoRequestAndServesNothingStale_plainAndTiered() throws Exception {
    String map = "kill-" + UUID.randomUUID();
    AtomicInteger database = new AtomicInteger(1);
    AtomicInteger invalidated = new AtomicInteger(0);
    Origin origin = r -> CacheResponse.builder(200).body(Integer.toString(database.get())).build();
    AtomicBoolean failed = new AtomicBoolean();
    List<String> problems = new java.util.concurrent.CopyOnWriteArrayList<>();
    ExecutorService pool = Executors.newFixedThreadPool(7);
    String tieredMap = "kill-tiered-" + UUID.randomUUID();
    String bus = "kill-bus-" + UUID.randomUUID();
    try (CacheEngine a = engine(one, map); CacheEngine b = engine(two, map);
        CacheEngine c = CacheEngine.builder(policies(), tiered(one, tieredMap, bus)).storeTimeout(PATIENT).build();
        CacheEngine d = CacheEngine.builder(policies(), tiered(two, tieredMap, bus)).storeTimeout(PATIENT).build()) {
      CyclicBarrier start = new CyclicBarrier(7);
      List<Future<?>> work = new ArrayList<>();
      List<CacheEngine> nodes = List.of(a, b, c, d, c, d);
      for (int t = 0; t < 6; t++) {
        CacheEngine node = nodes.get(t);
        work.add(pool.submit(() -> {
          start.await(60, TimeUnit.SECONDS);
          for (int i = 0; i < 600; i++) {
            int mustSee = invalidated.get();
            CacheResponse r = node.handle(CacheRequest.get("/api/products/" + (i % 50)), origin);
            if (r.status() != 200) {
              failed.set(true);
              problems.add("status " + r.status());
            } else if (Integer.parseInt(r.body().utf8()) < mustSee) {
              problems.add("stale " + r.body().utf8() + " < " + mustSee);
            }
          }
          return null;
        }));
      }
      work.add(pool.submit(() -> {
        start.await(60, TimeUnit.SECONDS);
        for (int w = 0; w < 20; w++) {
          int v = database.incrementAndGet();
          (w % 2 == 0 ? a : b).invalidate("product.updated");
          (w % 2 == 0 ? c : d).invalidate("product.updated"); // the tiered pair, over the same cluster
          invalidated.set(v);
          if (w == 5) {
            three.getLifecycleService().terminate(); // a member dies mid-traffic
          }
          Thread.sleep(20); // the writer's pace, not synchronisation
        }
        return null;
      }));
      for (Future<?> f : work) {
        f.get(5, TimeUnit.MINUTES);
      }
      assertTrue(problems.isEmpty(), problems.toString());
      assertEquals(2, one.getCluster().getMembers().size());
      for (int i = 0; i < 50; i++) {
        String path = "/api/products/" + i;
        a.handle(CacheRequest.get(path), origin); // rebuilt from the origin where the entry was lost
        assertEquals("HIT", xCache(b.handle(CacheRequest.get(path), origin)), path);
      }
    } finally {
      pool.shutdownNow();
    }
  }
}
