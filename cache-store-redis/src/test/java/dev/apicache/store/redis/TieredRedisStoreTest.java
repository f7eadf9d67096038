package dev.apicache.store.redis;

import static org.awaitility.Awaitility.await;

import dev.apicache.spi.Store;
import dev.apicache.store.caffeine.TieredStore;
import dev.apicache.testing.ManualClock;
import dev.apicache.testing.StoreContract;
import io.lettuce.core.RedisClient;
import java.time.Duration;
import java.util.UUID;

/** The store contract on TieredStore over RedisStore and RedisInvalidationBus, on the tests' own redis-server. */
class TieredRedisStoreTest extends StoreContract {
  @Override
  protected Store createStore(ManualClock clock) {
    String prefix = "test:" + UUID.randomUUID() + ":";
    RedisStore far = RedisStore.builder(RedisStoreTest.redisUri()).keyPrefix(prefix)
        .commandTimeout(Duration.ofSeconds(2)).build();
    RedisTesting.awaitConnected(far);
    RedisInvalidationBus bus = RedisInvalidationBus.create(RedisClient.create(RedisStoreTest.redisUri()), prefix + "bus");
    TieredStore store = TieredStore.builder(far, bus).nearMaxAge(Duration.ofSeconds(1)).build();
    await("store::nearInUse")
        .atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(10)).until(store::nearInUse);
    return store;
  }

  /** Redis and the near copies (nearMaxAge 1 s) expire on real time; the contract polls. */
  @Override
  protected void advance(Duration amount) {
  }
}
