package dev.apicache.micrometer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.apicache.CacheEngine;
import dev.apicache.CachePolicies;
import dev.apicache.CachePolicy;
import dev.apicache.CacheRequest;
import dev.apicache.CacheResponse;
import dev.apicache.store.caffeine.CaffeineStore;
import dev.apicache.testing.FaultyStore;
import io.micrometer.core.instrument.FunctionTimer;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

/** The meters a registry reads from a real engine over the Caffeine store, after real requests. */
class ApiCacheMetricsTest {
  private static final String PRODUCTS = "/api/products/{id}";

  private static double count(SimpleMeterRegistry registry, String meter, String policy, String... tags) {
    return registry.get(meter).tag("cache", "api").tag("policy", policy).tags(tags).functionCounter().count();
  }

  @Test
  void hitsMissesPutsBypassesAndOriginTime_arePublishedPerPolicy() {
    CachePolicies policies = CachePolicies.builder()
        .add(CachePolicy.forRoute(PRODUCTS).ttl(Duration.ofMinutes(1)).build())
        .add(CachePolicy.forRoute("/api/profile").ttl(Duration.ZERO).build())
        .build();
    try (CacheEngine engine = CacheEngine.builder(policies, CaffeineStore.builder().build()).build()) {
      SimpleMeterRegistry registry = new SimpleMeterRegistry();
      ApiCacheMetrics.of(engine, "api").bindTo(registry);
      for (int i = 0; i < 3; i++) {
        engine.handle(CacheRequest.get("/api/products/1"), r -> CacheResponse.builder(200).body("one").build());
      }
      engine.handle(CacheRequest.get("/api/products/2"), r -> CacheResponse.builder(200)
          .header("Set-Cookie", "s=1").body("two").build());
      engine.handle(CacheRequest.get("/api/profile"), r -> CacheResponse.builder(200).body("me").build());
      engine.handle(CacheRequest.get("/elsewhere"), r -> CacheResponse.builder(200).body("x").build());
      engine.handle(CacheRequest.get("/api/products/1").toBuilder().header("If-None-Match",
          engine.handle(CacheRequest.get("/api/products/1"), r -> null).headers().first("ETag").orElseThrow())
          .build(), r -> null);

      assertEquals(4, count(registry, "cache.gets", PRODUCTS, "result", "hit"), "2 hits, 1 more hit, 1 304");
      assertEquals(2, count(registry, "cache.gets", PRODUCTS, "result", "miss"));
      assertEquals(1, count(registry, "cache.puts", PRODUCTS), "the Set-Cookie response was not stored");
      assertEquals(1, count(registry, "apicache.uncacheable", PRODUCTS, "reason", "set-cookie"));
      assertEquals(1, count(registry, "apicache.not.modified", PRODUCTS));
      assertEquals(1, count(registry, "apicache.bypasses", "/api/profile", "reason", "ttl-0"));
      assertEquals(1, count(registry, "apicache.bypasses", "none", "reason", "no-policy"));
      assertTrue(count(registry, "apicache.bytes.served", PRODUCTS) >= 6, "three bodies of one from the store");
      assertEquals(1, registry.get("cache.size").tag("cache", "api").gauge().value(), "one entry stored");
      assertTrue(registry.get("apicache.store.bytes").gauge().value() > 0);
      assertEquals(0, registry.get("cache.evictions").functionCounter().count());
      FunctionTimer origin = registry.get("apicache.origin").tag("policy", PRODUCTS).functionTimer();
      assertEquals(2, origin.count());
      assertTrue(origin.totalTime(TimeUnit.NANOSECONDS) > 0);
    }
  }

  @Test
  void theStoreCircuit_readsOneWhileAFailingStoreIsSkipped_andZeroOnceItRecovers() {
    CachePolicies policies = CachePolicies.builder()
        .add(CachePolicy.forRoute(PRODUCTS).ttl(Duration.ofMinutes(1)).build()).build();
    FaultyStore store = new FaultyStore(CaffeineStore.builder().build());
    try (CacheEngine engine = CacheEngine.builder(policies, store).build()) {
      SimpleMeterRegistry registry = new SimpleMeterRegistry();
      ApiCacheMetrics.of(engine, "api").bindTo(registry);
      Gauge circuit = registry.get("apicache.store.circuit").tag("cache", "api").gauge();
      assertEquals(0, circuit.value());
      store.mode(FaultyStore.Mode.THROW);
      for (int i = 0; i < 10; i++) {
        assertEquals("one", engine.handle(CacheRequest.get("/api/products/1"),
            r -> CacheResponse.builder(200).body("one").build()).body().utf8(), "the origin still answers");
      }
      assertEquals(1, circuit.value(), "open after repeated faults");
      store.mode(FaultyStore.Mode.HEALTHY);
      Awaitility.await("() -> { engine.handle(CacheRequest.get(\"/api/products/1\"), r -> CacheResponse.builder(2...")
          .atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(50)).until(() -> {
        engine.handle(CacheRequest.get("/api/products/1"), r -> CacheResponse.builder(200).body("one").build());
        return circuit.value() == 0 && !engine.storeCircuitOpen();
      });
    }
  }

  @Test
  void pendingInvalidations_areAGauge_backToZeroOnceTheStoreRecordsThem() {
    CachePolicies policies = CachePolicies.builder()
        .add(CachePolicy.forRoute(PRODUCTS).ttl(Duration.ofMinutes(1)).invalidateOn("product.updated").build()).build();
    FaultyStore store = new FaultyStore(CaffeineStore.builder().build());
    try (CacheEngine engine = CacheEngine.builder(policies, store).invalidationPatience(Duration.ofMillis(300)).build()) {
      SimpleMeterRegistry registry = new SimpleMeterRegistry();
      ApiCacheMetrics.of(engine, "api").bindTo(registry);
      Gauge pending = registry.get("apicache.invalidations.pending").tag("cache", "api").gauge();
      assertEquals(0, pending.value());
      store.mode(FaultyStore.Mode.THROW); // a store that always fails: the patience runs out whatever the machine
      assertThrows(dev.apicache.StoreException.class, () -> engine.invalidate("product.updated"));
      assertEquals(1, pending.value());
      store.heal();
      Awaitility.await("the retried invalidation is recorded").atMost(Duration.ofSeconds(60))
          .pollInterval(Duration.ofMillis(20)).until(() -> pending.value() == 0);
    }
  }

  @Test
  void aBlankName_isRefused() {
    try (CacheEngine engine = CacheEngine.builder(CachePolicies.builder().build(), CaffeineStore.builder().build())
        .build()) {
      assertThrows(IllegalArgumentException.class, () -> ApiCacheMetrics.of(engine, " "));
    }
  }
}
