package dev.apicache.demo;

import com.hazelcast.config.Config;
import com.hazelcast.config.JoinConfig;
import com.hazelcast.core.Hazelcast;
import com.hazelcast.core.HazelcastInstance;
import dev.apicache.spi.Counter;
import dev.apicache.spi.EntryKey;
import dev.apicache.spi.Fence;
import dev.apicache.spi.Leases;
import dev.apicache.spi.Store;
import dev.apicache.spi.Watched;
import dev.apicache.spi.Footprint;
import dev.apicache.store.caffeine.CaffeineStore;
import dev.apicache.store.caffeine.TieredStore;
import dev.apicache.store.hazelcast.HazelcastInvalidationBus;
import dev.apicache.store.hazelcast.HazelcastStore;
import dev.apicache.store.redis.RedisInvalidationBus;
import dev.apicache.store.redis.RedisStore;
import io.lettuce.core.RedisClient;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.UUID;

/**
 * The store the demo runs on, chosen with {@code --store}, and what it sent to Redis. Public for the
 * integration suites, which run the adapters over each of these stores.
 */
public final class DemoStore {
  /** The stores the demo can run on. */
  public enum Kind {
    CAFFEINE, REDIS, TIERED, HAZELCAST, TIERED_HAZELCAST;

    static Kind parse(String text) {
      try {
        if (text.indexOf('_') >= 0) {
          throw new IllegalArgumentException(text); // spelt with a hyphen only, as toString() writes it
        }
        return valueOf(text.toUpperCase(Locale.ROOT).replace('-', '_'));
      } catch (IllegalArgumentException e) {
        throw new Main.UsageException(
            "--store must be caffeine, redis, tiered, hazelcast or tiered-hazelcast but was '" + text + "'");
      }
    }

    /** True when the store's processes form a Hazelcast cluster. */
    boolean usesHazelcast() {
      return this == HAZELCAST || this == TIERED_HAZELCAST;
    }

    /** True when the store lives in Redis. */
    boolean usesRedis() {
      return this == REDIS || this == TIERED;
    }

    @Override
    public String toString() {
      return name().toLowerCase(Locale.ROOT).replace('_', '-');
    }
  }

  private final Kind kind;
  private final Store store;
  private final Optional<RedisStore> redis;

  private DemoStore(Kind kind, Store store, Optional<RedisStore> redis) {
    this.kind = kind;
    this.store = store;
    this.redis = redis;
  }

  /**
   * How a Hazelcast node finds its peers: the cluster's name, the port its member listens on (0: the
   * first free one from 5701) and the members it asks to join on start.
   */
  record HazelcastJoin(String clusterName, int port, List<String> members) {
    /** A cluster of this process alone: named so that no other process joins it, and joining no one. */
    static HazelcastJoin alone() {
      return new HazelcastJoin("apicache-demo-" + UUID.randomUUID(), 0, List.of());
    }
  }

  /**
   * Opens the store; Redis keys get a prefix of their own per process and a Hazelcast member a
   * cluster of its own, so that nothing another run cached is read.
   */
  static DemoStore open(Kind kind, String redisUrl) {
    return open(kind, redisUrl, "apicache:demo:" + UUID.randomUUID().toString().substring(0, 8) + ":",
        HazelcastJoin.alone());
  }

  /**
   * Opens the store with Redis keys under {@code prefix} and a Hazelcast member that joins as
   * {@code join} says: every process given the same prefix or cluster shares entries and invalidations.
   */
  static DemoStore open(Kind kind, String redisUrl, String prefix, HazelcastJoin join) {
    if (kind == Kind.CAFFEINE) {
      return new DemoStore(kind, CaffeineStore.builder().maximumBytes(128L << 20).build(), Optional.empty());
    }
    if (kind == Kind.HAZELCAST) {
      return new DemoStore(kind, new MemberOwningStore(member(join)), Optional.empty());
    }
    if (kind == Kind.TIERED_HAZELCAST) {
      HazelcastInstance member = member(join);
      // the bus closes first, while the member it deregisters from still runs
      return new DemoStore(kind, TieredStore.builder(new MemberOwningStore(member),
          HazelcastInvalidationBus.create(member, "apicache-demo-invalidations")).nearMaximumBytes(128L << 20).build(),
          Optional.empty());
    }
    RedisStore far = RedisStore.builder(redisUrl).keyPrefix(prefix).commandTimeout(Duration.ofMillis(200)).build();
    if (kind == Kind.REDIS) {
      return new DemoStore(kind, far, Optional.of(far));
    }
    RedisInvalidationBus bus = RedisInvalidationBus.create(RedisClient.create(redisUrl), prefix + "invalidations");
    return new DemoStore(kind, TieredStore.builder(far, bus).nearMaximumBytes(128L << 20).build(), Optional.of(far));
  }

  /**
   * A Hazelcast member in this process: loopback only, explicit TCP-IP join to {@code join}'s
   * members, no multicast, no phone-home, no Jet.
   */
  private static HazelcastInstance member(HazelcastJoin join) {
    Config config = new Config();
    config.setClusterName(join.clusterName());
    config.setProperty("hazelcast.phone.home.enabled", "false");
    config.setProperty("hazelcast.logging.type", "none");
    config.getJetConfig().setEnabled(false);
    if (join.port() == 0) {
      config.getNetworkConfig().setPort(5701).setPortAutoIncrement(true).setPortCount(100);
    } else {
      config.getNetworkConfig().setPort(join.port()).setPortAutoIncrement(false);
    }
    config.getNetworkConfig().getInterfaces().setEnabled(true).addInterface("127.0.0.1");
    JoinConfig joining = config.getNetworkConfig().getJoin();
    joining.getMulticastConfig().setEnabled(false);
    joining.getAutoDetectionConfig().setEnabled(false);
    // a member alone asks no one: it never probes (or is probed by) another process's members
    joining.getTcpIpConfig().setEnabled(!join.members().isEmpty()).setMembers(join.members());
    return Hazelcast.newHazelcastInstance(config);
  }

  /** The Hazelcast store, shutting its member down when the demo closes it. */
  private static final class MemberOwningStore implements Store {
    private final HazelcastInstance member;
    private final HazelcastStore store;

    MemberOwningStore(HazelcastInstance member) {
      this.member = member;
      this.store = HazelcastStore.create(member);
    }

    @Override
    public Optional<byte[]> get(EntryKey key) {
      return store.get(key);
    }

    @Override
    public Optional<byte[]> get(EntryKey key, List<Counter> fenceCounters) {
      return store.get(key, fenceCounters);
    }

    @Override
    public boolean readsCountersWithEntries() {
      return store.readsCountersWithEntries();
    }

    @Override
    public Optional<Watched> getWatching(EntryKey key, List<Counter> fenceCounters, List<Counter> watched) {
      return store.getWatching(key, fenceCounters, watched); // one getAll, where the default makes two calls
    }

    @Override
    public Optional<Footprint> footprint() {
      return store.footprint();
    }

    @Override
    public Fence fence(List<Counter> counters) {
      return store.fence(counters);
    }

    @Override
    public boolean put(EntryKey key, byte[] entry, Duration timeToLive, Fence fence) {
      return store.put(key, entry, timeToLive, fence);
    }

    @Override
    public void bump(Collection<Counter> counters) {
      store.bump(counters);
    }

    @Override
    public boolean callsAreBounded() {
      return store.callsAreBounded();
    }

    @Override
    public boolean readsWithoutBlocking() {
      return store.readsWithoutBlocking();
    }

    @Override
    public Optional<Leases> leases() {
      return store.leases();
    }

    @Override
    public void close() {
      member.shutdown();
    }
  }

  Kind kind() {
    return kind;
  }

  /** The store itself. */
  public Store store() {
    return store;
  }

  /** Commands sent to Redis so far; empty for the in-process store. */
  Optional<Long> redisCommands() {
    return redis.map(RedisStore::commandsSent);
  }

  /** Opens the store with a prefix of its own and waits, at most {@code atMost}, until Redis answers. */
  public static DemoStore openReady(Kind kind, String redisUrl, Duration atMost) throws InterruptedException {
    DemoStore store = open(kind, redisUrl);
    store.awaitConnected(atMost);
    return store;
  }

  /**
   * Waits, at most {@code atMost}, until Redis answers, so that a run does not start by measuring a
   * connect; at once for the other stores.
   */
  void awaitConnected(Duration atMost) throws InterruptedException {
    long deadline = System.nanoTime() + atMost.toNanos();
    while (redis.isPresent() && !redis.get().isConnected() && System.nanoTime() < deadline) {
      Thread.sleep(10); // a bounded start-up wait for the connection, before any load
    }
  }
}
