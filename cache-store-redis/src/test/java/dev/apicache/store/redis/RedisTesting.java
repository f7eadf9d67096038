package dev.apicache.store.redis;

import static org.awaitility.Awaitility.await;

import java.time.Duration;

/** Helpers for tests against real Redis processes. */
final class RedisTesting {
  private RedisTesting() {}

  static void awaitConnected(RedisStore store) {
    await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(10)).until(store::isConnected);
  }
}
