package dev.apicache.store.redis;

import dev.apicache.spi.Store;
import dev.apicache.testing.ManualClock;
import dev.apicache.testing.StoreContract;
import java.time.Duration;
import java.util.UUID;

/** The store contract on the standalone Redis at 127.0.0.1:6379 (started by .ci/run). */
class RedisStoreTest extends StoreContract {
  static final String REDIS_URI = System.getProperty("apicache.redis", "redis://127.0.0.1:6379");

  @Override
  protected Store createStore(ManualClock clock) {
    RedisStore store = RedisStore.builder(REDIS_URI).keyPrefix("test:" + UUID.randomUUID() + ":")
        .commandTimeout(Duration.ofSeconds(2)).build();
    RedisTesting.awaitConnected(store);
    return store;
  }

  /** Redis expires keys on its own clock; the contract polls until the entry is gone. */
  @Override
  protected void advance(Duration amount) {
  }
}
