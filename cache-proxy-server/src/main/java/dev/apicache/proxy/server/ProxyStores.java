package dev.apicache.proxy.server;

import com.hazelcast.config.Config;
import com.hazelcast.config.JoinConfig;
import com.hazelcast.core.Hazelcast;
import com.hazelcast.core.HazelcastInstance;
import dev.apicache.spi.Store;
import dev.apicache.store.caffeine.CaffeineStore;
import dev.apicache.store.caffeine.TieredStore;
import dev.apicache.store.hazelcast.HazelcastInvalidationBus;
import dev.apicache.store.hazelcast.HazelcastStore;
import dev.apicache.store.redis.RedisInvalidationBus;
import dev.apicache.store.redis.RedisStore;
import io.lettuce.core.RedisClient;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * The store a proxy's settings name, and what must be closed after it. Proxies given the same
 * Redis, or joined in one Hazelcast cluster, share entries and invalidations, as replicas should:
 * their keys have one fixed prefix.
 */
final class ProxyStores {
  static final String REDIS_PREFIX = "apicache:proxy:";

  /** A store and the resources it runs on, closed after it (a Hazelcast member, a Redis client). */
  record Opened(Store store, List<AutoCloseable> resources) {}

  private ProxyStores() {}

  /**
   * The bytes of entries the in-process store (or near tier) may hold: four fifths of
   * {@code cache-size}. The heap is sized from {@code cache-size} (plus a fixed part, by the
   * launcher), and the fifth left over is the collector's room to replace entries: a heap that is
   * all entries spends its time in full collections once the cache churns (measured in RESULTS.md).
   */
  static long entryBytes(Settings s) {
    return s.cacheBytes() / 5 * 4;
  }

  static Opened open(Settings s) {
    List<AutoCloseable> resources = new ArrayList<>();
    return switch (s.store()) {
      case CAFFEINE -> new Opened(CaffeineStore.builder().maximumBytes(entryBytes(s)).build(), resources);
      case REDIS -> new Opened(redis(s), resources);
      case TIERED -> {
        RedisClient client = RedisClient.create(s.redisUrl());
        resources.add(client::shutdown);
        yield new Opened(TieredStore.builder(redis(s), RedisInvalidationBus.create(client,
            REDIS_PREFIX + "invalidations")).nearMaximumBytes(entryBytes(s)).build(), resources);
      }
      case HAZELCAST -> {
        HazelcastInstance member = member(s);
        resources.add(member::shutdown);
        yield new Opened(HazelcastStore.create(member), resources);
      }
      case TIERED_HAZELCAST -> {
        HazelcastInstance member = member(s);
        resources.add(member::shutdown);
        yield new Opened(TieredStore.builder(HazelcastStore.create(member),
            HazelcastInvalidationBus.create(member, "apicache-proxy-invalidations")).nearMaximumBytes(entryBytes(s))
            .build(), resources);
      }
    };
  }

  private static RedisStore redis(Settings s) {
    return RedisStore.builder(s.redisUrl()).keyPrefix(REDIS_PREFIX).commandTimeout(Duration.ofMillis(250)).build();
  }

  /** A Hazelcast member: explicit TCP-IP members, no multicast, no phone-home, no Jet. */
  private static HazelcastInstance member(Settings s) {
    Config config = new Config();
    config.setClusterName(s.hazelcastCluster());
    config.setProperty("hazelcast.phone.home.enabled", "false");
    config.setProperty("hazelcast.logging.type", "jdk");
    config.getJetConfig().setEnabled(false);
    config.getNetworkConfig().setPort(s.hazelcastPort()).setPortAutoIncrement(false);
    JoinConfig join = config.getNetworkConfig().getJoin();
    join.getMulticastConfig().setEnabled(false);
    join.getAutoDetectionConfig().setEnabled(false);
    join.getTcpIpConfig().setEnabled(!s.hazelcastMembers().isEmpty()).setMembers(s.hazelcastMembers());
    return Hazelcast.newHazelcastInstance(config);
  }
}
