package dev.apicache.store.redis;

import dev.apicache.spi.Store;
import dev.apicache.store.redis.testing.RedisProcess;
import dev.apicache.testing.ManualClock;
import dev.apicache.testing.StoreContract;
import java.time.Duration;
import java.util.UUID;

/** The store contract on a standalone redis-server this JVM's tests started ({@link RedisProcess#shared()}). */
class RedisStoreTest extends StoreContract {
  /** The shared test server's URI. */
  static String redisUri() {
    try {
      return RedisProcess.shared().uri();
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  @Override
  protected Store createStore(ManualClock clock) {
    RedisStore store = RedisStore.builder(redisUri()).keyPrefix("test:" + UUID.randomUUID() + ":")
        .commandTimeout(Duration.ofSeconds(2)).build();
    RedisTesting.awaitConnected(store);
    return store;
  }

  /** Redis expires keys on its own clock; the contract polls until the entry is gone. */
  @Override
  protected void advance(Duration amount) {
  }
}
