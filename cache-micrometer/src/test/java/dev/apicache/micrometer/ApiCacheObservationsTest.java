package dev.apicache.micrometer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import dev.apicache.CacheEngine;
import dev.apicache.CachePolicies;
import dev.apicache.CachePolicy;
import dev.apicache.CacheRequest;
import dev.apicache.CacheResponse;
import dev.apicache.store.caffeine.CaffeineStore;
import io.micrometer.core.instrument.observation.DefaultMeterObservationHandler;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.micrometer.observation.Observation;
import io.micrometer.observation.ObservationRegistry;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/** Fills and store calls become Observations: timers through a meter handler, and a scope the handler runs in. */
class ApiCacheObservationsTest {
  @Test
  void fillsAndStoreCalls_areObserved_andTheOriginRunsInsideTheFill() {
    SimpleMeterRegistry meters = new SimpleMeterRegistry();
    ObservationRegistry registry = ObservationRegistry.create();
    registry.observationConfig().observationHandler(new DefaultMeterObservationHandler(meters));
    CachePolicies policies = CachePolicies.builder()
        .add(CachePolicy.forRoute("/api/items/{id}").ttl(Duration.ofMinutes(1)).build()).build();
    AtomicReference<Observation> current = new AtomicReference<>();
    try (CacheEngine engine = CacheEngine.builder(policies, CaffeineStore.builder().build())
        .observer(ApiCacheObservations.of(registry)).build()) {
      engine.handle(CacheRequest.get("/api/items/1"), r -> {
        current.set(registry.getCurrentObservation());
        return CacheResponse.builder(200).body("one").build();
      });
      engine.handle(CacheRequest.get("/api/items/1"), r -> CacheResponse.builder(200).body("two").build());
      engine.handle(CacheRequest.get("/api/items/2"), r -> {
        throw new IllegalStateException("down");
      });
    }
    assertNotNull(current.get(), "the handler runs in the fill's scope, so its spans are the fill's children");
    assertEquals("apicache.fill", current.get().getContext().getName());
    assertEquals(2, meters.get("apicache.fill").tag("policy", "/api/items/{id}").timers().stream()
        .mapToLong(t -> t.count()).sum(), "two fills, the hit none");
    assertEquals(1, meters.get("apicache.fill").tag("error", "IllegalStateException").timer().count());
    assertEquals(3, meters.get("apicache.store").tag("operation", "get").timer().count());
  }

  @Test
  void aNoopRegistry_observesNothing() {
    ApiCacheObservations none = ApiCacheObservations.of(ObservationRegistry.NOOP);
    assertEquals(dev.apicache.EngineObserver.Scope.NONE, none.storeCall("get"));
  }
}
