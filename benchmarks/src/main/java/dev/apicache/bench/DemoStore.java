package dev.apicache.bench;

import com.hazelcast.config.Config;
import com.hazelcast.config.JoinConfig;
import com.hazelcast.core.Hazelcast;
import com.hazelcast.core.HazelcastInstance;
import dev.apicache.spi.Counter;
import dev.apicache.spi.EntryKey;
import dev.apicache.spi.Fence;
import dev.apicache.spi.Leases;
import dev.apicache.spi.Store;
import dev.apicache.store.caffeine.CaffeineStore;
import dev.apicache.store.caffeine.TieredStore;
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

/** The store the demo runs on, chosen with {@code --store}, and what it sent to Redis. */
final class DemoStore {
  /** The stores the demo can run on. */
  enum Kind {
    CAFFEINE, REDIS, TIERED, HAZELCAST;

    static Kind parse(String text) {
      try {
        return valueOf(text.toUpperCase(Locale.ROOT));
      } catch (IllegalArgumentException e) {
        throw new Main.UsageException("--store must be caffeine, redis, tiered or hazelcast but was '" + text + "'");
      }
    }

    @Override
    public String toString() {
      return name().toLowerCase(Locale.ROOT);
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
   * Opens the store; Redis keys get a prefix of their own per process, so that a restarted demo (whose
   * catalogue starts over) never reads what an earlier run cached.
   */
  static DemoStore open(Kind kind, String redisUrl) {
    return open(kind, redisUrl, "apicache:demo:" + UUID.randomUUID().toString().substring(0, 8) + ":");
  }

  /** Opens the store with Redis keys under {@code prefix}, shared by every process given the same one. */
  static DemoStore open(Kind kind, String redisUrl, String prefix) {
    if (kind == Kind.CAFFEINE) {
      return new DemoStore(kind, CaffeineStore.builder().maximumBytes(128L << 20).build(), Optional.empty());
    }
    if (kind == Kind.HAZELCAST) {
      return new DemoStore(kind, new MemberOwningStore(embeddedMember()), Optional.empty());
    }
    RedisStore far = RedisStore.builder(redisUrl).keyPrefix(prefix).commandTimeout(Duration.ofMillis(200)).build();
    if (kind == Kind.REDIS) {
      return new DemoStore(kind, far, Optional.of(far));
    }
    RedisInvalidationBus bus = RedisInvalidationBus.create(RedisClient.create(redisUrl), prefix + "invalidations");
    return new DemoStore(kind, TieredStore.builder(far, bus).nearMaximumBytes(128L << 20).build(), Optional.of(far));
  }

  /**
   * A Hazelcast member in this process, in a cluster of its own: loopback only, explicit TCP-IP
   * join, no multicast, no phone-home, no Jet.
   */
  private static HazelcastInstance embeddedMember() {
    Config config = new Config();
    config.setClusterName("apicache-demo-" + UUID.randomUUID());
    config.setProperty("hazelcast.phone.home.enabled", "false");
    config.setProperty("hazelcast.logging.type", "none");
    config.getJetConfig().setEnabled(false);
    config.getNetworkConfig().setPort(5701).setPortAutoIncrement(true).setPortCount(100);
    config.getNetworkConfig().getInterfaces().setEnabled(true).addInterface("127.0.0.1");
    JoinConfig join = config.getNetworkConfig().getJoin();
    join.getMulticastConfig().setEnabled(false);
    join.getAutoDetectionConfig().setEnabled(false);
    join.getTcpIpConfig().setEnabled(true).addMember("127.0.0.1");
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

  Store store() {
    return store;
  }

  /** Commands sent to Redis so far; empty for the in-process store. */
  Optional<Long> redisCommands() {
    return redis.map(RedisStore::commandsSent);
  }

  /**
   * Opens the store and waits, at most {@code atMost}, until Redis answers, so that a run does not
   * start by measuring a connect.
   */
  static DemoStore openReady(Kind kind, String redisUrl, Duration atMost) throws InterruptedException {
    DemoStore store = open(kind, redisUrl);
    long deadline = System.nanoTime() + atMost.toNanos();
    while (store.redis.isPresent() && !store.redis.get().isConnected() && System.nanoTime() < deadline) {
      Thread.sleep(10); // a bounded start-up wait for the connection, before any load
    }
    return store;
  }
}
