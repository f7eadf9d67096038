package dev.apicache.spring;

import dev.apicache.CacheEngine;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.boot.health.contributor.Status;

/**
 * The {@code apicache} health contributor. {@code UP} while the store answers; {@code DEGRADED}
 * while a shared store's circuit is open (requests go to the application uncached) or
 * invalidations wait to be recorded (writes are answered 503 meanwhile). The application still
 * serves in both, so the status is not {@code DOWN}, and Boot leaves a status it does not rank out
 * of the aggregate: add {@code degraded} to {@code management.endpoint.health.status.order} to
 * let it count.
 */
final class ApiCacheHealthIndicator implements HealthIndicator {
  /** The store is unreachable or behind: the application serves, without its cache's protection. */
  static final Status DEGRADED = new Status("DEGRADED", "the cache's store is not answering or is behind");

  private final CacheEngine engine;

  ApiCacheHealthIndicator(CacheEngine engine) {
    this.engine = engine;
  }

  @Override
  public Health health() {
    boolean open = engine.storeCircuitOpen();
    int pending = engine.invalidationsPending();
    Health.Builder health = open || pending > 0 ? Health.status(DEGRADED) : Health.up();
    health.withDetail("storeCircuit", open ? "open" : "closed").withDetail("invalidationsPending", pending);
    engine.storeFootprint().ifPresent(f -> health.withDetail("storeBytes", f.bytes()).withDetail("storeEntries",
        f.entries()));
    return health.build();
  }
}
