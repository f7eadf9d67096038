package dev.apicache.store.redis;

import static org.awaitility.Awaitility.await;

import java.time.Duration;

/** Helpers for tests against real Redis processes. */
final class RedisTesting {
  private RedisTesting() {}

  /** Calls per command since the last CONFIG RESETSTAT, commands run inside scripts included. */
  static java.util.Map<String, Long> commandStats(
      io.lettuce.core.api.StatefulRedisConnection<String, String> admin) {
    java.util.Map<String, Long> calls = new java.util.HashMap<>();
    for (String line : admin.sync().info("commandstats").split("\r?\n")) {
      if (line.startsWith("cmdstat_")) {
        String name = line.substring("cmdstat_".length(), line.indexOf(':'));
        String rest = line.substring(line.indexOf("calls=") + "calls=".length());
        calls.put(name, Long.parseLong(rest.substring(0, rest.indexOf(','))));
      }
    }
    return calls;
  }

  static void awaitConnected(RedisStore store) {
    await("store::isConnected")
        .atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(10)).until(store::isConnected);
  }

  /** Counts in {@code drops} every connection loss {@code bus} reports. */
  static void countDrops(dev.apicache.spi.InvalidationBus bus, java.util.concurrent.atomic.AtomicInteger drops) {
    bus.subscribe(new dev.apicache.spi.InvalidationBus.Listener() {
      @Override
      public void invalidated(java.util.Collection<String> partitions) {}

      @Override
      public void connectionLost() {
        drops.incrementAndGet();
      }

      @Override
      public void connectionRestored() {}
    });
  }
}
