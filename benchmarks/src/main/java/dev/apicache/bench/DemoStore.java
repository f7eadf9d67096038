package dev.apicache.bench;

import dev.apicache.spi.Store;
import dev.apicache.store.caffeine.CaffeineStore;
import dev.apicache.store.caffeine.TieredStore;
import dev.apicache.store.redis.RedisInvalidationBus;
import dev.apicache.store.redis.RedisStore;
import io.lettuce.core.RedisClient;
import java.time.Duration;
import java.util.Locale;
import java.util.Optional;
import java.util.UUID;

/** The store the demo runs on, chosen with {@code --store}, and what it sent to Redis. */
final class DemoStore {
  /** The stores the demo can run on. */
  enum Kind {
    CAFFEINE, REDIS, TIERED;

    static Kind parse(String text) {
      try {
        return valueOf(text.toUpperCase(Locale.ROOT));
      } catch (IllegalArgumentException e) {
        throw new Main.UsageException("--store must be caffeine, redis or tiered but was '" + text + "'");
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
    if (kind == Kind.CAFFEINE) {
      return new DemoStore(kind, CaffeineStore.builder().maximumBytes(128L << 20).build(), Optional.empty());
    }
    String prefix = "apicache:demo:" + UUID.randomUUID().toString().substring(0, 8) + ":";
    RedisStore far = RedisStore.builder(redisUrl).keyPrefix(prefix).commandTimeout(Duration.ofMillis(200)).build();
    if (kind == Kind.REDIS) {
      return new DemoStore(kind, far, Optional.of(far));
    }
    RedisInvalidationBus bus = RedisInvalidationBus.create(RedisClient.create(redisUrl), prefix + "invalidations");
    return new DemoStore(kind, TieredStore.builder(far, bus).nearMaximumBytes(128L << 20).build(), Optional.of(far));
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
