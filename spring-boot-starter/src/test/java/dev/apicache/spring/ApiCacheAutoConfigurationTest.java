package dev.apicache.spring;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.hazelcast.config.Config;
import com.hazelcast.core.Hazelcast;
import com.hazelcast.core.HazelcastInstance;
import dev.apicache.CacheEngine;
import dev.apicache.CachePolicies;
import dev.apicache.CachePolicy;
import dev.apicache.CacheRequest;
import dev.apicache.CacheResponse;
import dev.apicache.KeyFunction;
import dev.apicache.PolicyConfigException;
import dev.apicache.micrometer.ApiCacheMetrics;
import dev.apicache.spi.Store;
import dev.apicache.store.caffeine.CaffeineStore;
import dev.apicache.store.hazelcast.HazelcastStore;
import dev.apicache.store.redis.testing.RedisProcess;
import dev.apicache.store.redis.RedisStore;
import java.net.URI;
import java.time.Duration;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

/** The auto-configuration's conditions and properties, in application contexts of their own. */
class ApiCacheAutoConfigurationTest {
  private final ApplicationContextRunner runner = new ApplicationContextRunner()
      .withConfiguration(AutoConfigurations.of(ApiCacheAutoConfiguration.class,
          ApiCacheFallbackAutoConfiguration.class, ApiCacheHealthAutoConfiguration.class));

  private static Throwable rootCause(Throwable t) {
    while (t.getCause() != null) {
      t = t.getCause();
    }
    return t;
  }

  @Test
  void inlinePolicies_fromProperties_makeTheEngine_withAStoreMetersAndTheEndpoint() {
    runner.withPropertyValues(
            "apicache.policies[0].path=/api/products/{id:int}",
            "apicache.policies[0].ttl=60s",
            "apicache.policies[0].stale-while-revalidate=30s",
            "apicache.policies[0].invalidate-on[0]=product.updated",
            "apicache.policies[0].compress=true",
            "apicache.policies[1].path=/api/catalog/**",
            "apicache.policies[1].freshness=origin",
            "apicache.policies[1].max-ttl=1h",
            "apicache.writes[0].path=/api/products/**",
            "apicache.writes[0].events[0]=product.updated")
        .run(context -> {
          assertNull(context.getStartupFailure());
          CacheEngine engine = context.getBean(CacheEngine.class);
          CachePolicy products = engine.policies().policies().stream()
              .filter(p -> p.id().equals("/api/products/{id:int}")).findFirst().orElseThrow();
          assertEquals(Duration.ofSeconds(60), products.ttl());
          assertEquals(Duration.ofSeconds(30), products.staleWhileRevalidate());
          assertTrue(products.invalidateOn().contains("product.updated"));
          assertEquals(dev.apicache.Compression.DEFAULTS, products.compression().orElseThrow());
          assertTrue(engine.policies().policies().stream().filter(p -> p != products)
              .allMatch(p -> p.compression().isEmpty()), "off unless asked for");
          assertTrue(engine.policies().policies().stream().anyMatch(p -> p.originDirected().isPresent()));
          assertEquals(1, engine.policies().writes().size());
          assertTrue(context.getBean(Store.class) instanceof CaffeineStore);
          assertNotNull(context.getBean(ApiCacheMetrics.class));
          assertNotNull(context.getBean(ApiCacheEndpoint.class));
        });
  }

  @Test
  void statusHeaderProperties_turnTheFieldsOff() {
    runner.withPropertyValues("apicache.policies[0].path=/api/items", "apicache.policies[0].ttl=60s",
            "apicache.x-cache-header=false")
        .run(context -> {
          CacheEngine engine = context.getBean(CacheEngine.class);
          dev.apicache.Origin origin = r -> dev.apicache.CacheResponse.builder(200).body("x").build();
          dev.apicache.CacheResponse miss = engine.handle(dev.apicache.CacheRequest.get("/api/items"), origin);
          assertTrue(miss.headers().first("X-Cache").isEmpty(), miss.headers().toString());
          assertTrue(miss.headers().first("Cache-Status").isPresent(), "only the one turned off");
        });
    runner.withPropertyValues("apicache.policies[0].path=/api/items", "apicache.policies[0].ttl=60s",
            "apicache.cache-status-header=false")
        .run(context -> {
          dev.apicache.CacheResponse r = context.getBean(CacheEngine.class).handle(
              dev.apicache.CacheRequest.get("/api/items"), req -> dev.apicache.CacheResponse.builder(200).body("x").build());
          assertTrue(r.headers().first("Cache-Status").isEmpty() && r.headers().first("X-Cache").isPresent(),
              r.headers().toString());
        });
  }

  @Test
  void aPolicyFile_isReadFromAResourceLocation() {
    runner.withPropertyValues("apicache.policy-file=classpath:test-cache-policies.yaml").run(context -> {
      CachePolicies policies = context.getBean(CachePolicies.class);
      assertEquals("/api/config", policies.policies().get(0).id());
      assertEquals(Duration.ofSeconds(30), policies.policies().get(0).ttl());
    });
  }

  @Test
  void aMistakeInThePolicies_failsStartup_namingIt() {
    runner.withPropertyValues("apicache.policies[0].path=/api/x", "apicache.policies[0].ttl=10s",
            "apicache.policies[0].vary-by[0]=key:tenant")
        .run(context -> {
          ApiCacheConfigurationException e = configurationError(context.getStartupFailure());
          assertEquals("apicache.policies[0].vary-by", e.property());
          assertEquals("key:tenant", e.value());
          assertTrue(e.reason().contains("names no registered key function"), e.reason());
          assertTrue(rootCause(e) instanceof PolicyConfigException, "the reader's own finding is kept as the cause");
        });
    runner.withPropertyValues("apicache.policy-file=classpath:test-cache-policies.yaml",
            "apicache.policies[0].path=/api/x")
        .run(context -> assertEquals("apicache.policy-file",
            configurationError(context.getStartupFailure()).property()));
    runner.withPropertyValues("apicache.policies[0].path=/api/x", "apicache.policies[0].ttl=10s",
            "apicache.policies[0].freshness=origin")
        .run(context -> assertEquals("apicache.policies[0].ttl",
            configurationError(context.getStartupFailure()).property()));
    runner.withPropertyValues("apicache.policies[0].path=/api/x", "apicache.policies[0].ttl=10s",
            "apicache.writes[0].path=/api/x", "apicache.writes[0].methods[0]=GET", "apicache.writes[0].events[0]=e")
        .run(context -> assertTrue(configurationError(context.getStartupFailure()).property()
            .startsWith("apicache.writes[0]")));
  }

  private static ApiCacheConfigurationException configurationError(Throwable failure) {
    for (Throwable t = failure; t != null; t = t.getCause()) {
      if (t instanceof ApiCacheConfigurationException e) {
        return e;
      }
    }
    throw new AssertionError("no ApiCacheConfigurationException in " + failure, failure);
  }

  @Test
  void aPropertyApicacheDoesNotKnow_failsStartup_likeAnyBindingMistake() {
    runner.withPropertyValues("apicache.policies[0].path=/api/x", "apicache.policies[0].ttl=10s",
            "apicache.policies[0].invalidate-onn[0]=product.updated")
        .run(context -> {
          assertNotNull(context.getStartupFailure(), "a misspelt field is never silently ignored");
          assertTrue(String.valueOf(rootCause(context.getStartupFailure())).contains("invalidate-onn"),
              String.valueOf(rootCause(context.getStartupFailure())));
        });
    runner.withPropertyValues("apicache.stor=redis").run(context -> assertNotNull(context.getStartupFailure()));
  }

  @Test
  void keyFunctionBeans_areTheFunctionsKeyPartsName() {
    runner.withBean("tenant", KeyFunction.class, () -> KeyFunction.attribute("tenant"))
        .withPropertyValues("apicache.policies[0].path=/api/x", "apicache.policies[0].ttl=10s",
            "apicache.policies[0].vary-by[0]=key:tenant")
        .run(context -> assertEquals(1, context.getBean(CacheEngine.class).policies().policies().size()));
  }

  @Test
  void storeRedis_usesTheServerSpringsOwnSettingsName() throws Exception {
    java.net.URI redis = URI.create(RedisProcess.shared().uri());
    runner.withPropertyValues("apicache.store=redis", "spring.data.redis.host=" + redis.getHost(),
            "spring.data.redis.port=" + redis.getPort(), "apicache.key-prefix=starter-test:",
            "apicache.policies[0].path=/api/x", "apicache.policies[0].ttl=60s")
        .run(context -> {
          assertNull(context.getStartupFailure());
          Store store = context.getBean(Store.class);
          assertTrue(store instanceof RedisStore, store.getClass().getName());
          CacheEngine engine = context.getBean(CacheEngine.class);
          await("() -> { engine.handle(CacheRequest.get(\"/api/x\"), r -> CacheResponse.builder(200).body(...")
              .atMost(Duration.ofSeconds(60)).until(() -> {
            engine.handle(CacheRequest.get("/api/x"),
                r -> CacheResponse.builder(200).body("x").build());
            return ((RedisStore) store).commandsSent() > 0 && "HIT".equals(engine.handle(
                CacheRequest.get("/api/x"), r -> CacheResponse.builder(200).body("y").build())
                .headers().first("X-Cache").orElse(""));
          });
        });
  }

  @Test
  void storeHazelcast_usesTheApplicationsInstance() {
    Config config = new Config();
    config.setClusterName("starter-" + UUID.randomUUID());
    config.setProperty("hazelcast.phone.home.enabled", "false");
    config.getJetConfig().setEnabled(false);
    config.getNetworkConfig().setPort(5701).setPortAutoIncrement(true).setPortCount(100);
    config.getNetworkConfig().getInterfaces().setEnabled(true).addInterface("127.0.0.1");
    config.getNetworkConfig().getJoin().getMulticastConfig().setEnabled(false);
    config.getNetworkConfig().getJoin().getAutoDetectionConfig().setEnabled(false);
    HazelcastInstance member = Hazelcast.newHazelcastInstance(config);
    try {
      runner.withBean(HazelcastInstance.class, () -> member)
          .withPropertyValues("apicache.store=hazelcast")
          .run(context -> assertTrue(context.getBean(Store.class) instanceof HazelcastStore));
      runner.withPropertyValues("apicache.store=hazelcast").run(context ->
          assertTrue(String.valueOf(context.getStartupFailure()).contains("HazelcastInstance bean"),
              String.valueOf(context.getStartupFailure())));
    } finally {
      member.shutdown();
    }
  }

  @Test
  void theApplicationsOwnBeans_win() {
    CacheEngine own = CacheEngine.builder(CachePolicies.builder().build(), CaffeineStore.builder().build()).build();
    runner.withBean(CacheEngine.class, () -> own).run(context -> assertSame(own, context.getBean(CacheEngine.class)));
    own.close();
  }

  @Test
  void enabledFalse_configuresNothing_butLeavesAnInvalidatorThatDoesNothing() {
    runner.withPropertyValues("apicache.enabled=false", "apicache.policies[0].path=/api/x").run(context -> {
      assertNull(context.getStartupFailure());
      assertEquals(0, context.getBeanNamesForType(CacheEngine.class).length);
      assertEquals(0, context.getBeanNamesForType(ApiCacheEndpoint.class).length);
      ApiCacheInvalidator invalidator = context.getBean(ApiCacheInvalidator.class);
      assertFalse(invalidator.isEnabled());
      invalidator.invalidate("product.updated");
      invalidator.invalidateTags("product:1");
      invalidator.purge("/api/x");
    });
  }

  @Test
  void withoutTransactionsActuatorOrMicrometer_theEngineStillStarts_withoutWhatNeedsThem() {
    runner.withClassLoader(new FilteredClassLoader("org.springframework.transaction", "org.springframework.jdbc",
            "org.springframework.boot.actuate", "org.springframework.boot.health.contributor", "io.micrometer.core"))
        .withPropertyValues("apicache.policies[0].path=/api/x", "apicache.policies[0].ttl=10s",
            "apicache.policies[0].invalidate-on[0]=x.updated")
        .run(context -> {
          assertNull(context.getStartupFailure());
          CacheEngine engine = context.getBean(CacheEngine.class);
          assertEquals(0, context.getBeanNamesForType(ApiCacheMetrics.class).length);
          assertEquals(0, context.getBeanNamesForType(ApiCacheEndpoint.class).length);
          assertEquals(0, context.getBeanNamesForType(ApiCacheHealthIndicator.class).length);
          engine.handle(CacheRequest.get("/api/x"), r -> CacheResponse.builder(200).body("1").build());
          context.getBean(ApiCacheInvalidator.class).invalidate("x.updated");
          assertEquals("MISS", engine.handle(CacheRequest.get("/api/x"), r -> CacheResponse.builder(200).body("2")
              .build()).headers().first("X-Cache").orElse(""), "invalidated at once, outside any transaction");
        });
  }

  @Test
  void theApplicationsOwnStore_isClosedOnce_byItsOwner() {
    AtomicInteger closes = new AtomicInteger();
    Store real = CaffeineStore.builder().build();
    Store own = new Store() {
      @Override
      public java.util.Optional<byte[]> get(dev.apicache.spi.EntryKey key) {
        return real.get(key);
      }

      @Override
      public dev.apicache.spi.Fence fence(java.util.List<dev.apicache.spi.Counter> counters) {
        return real.fence(counters);
      }

      @Override
      public boolean put(dev.apicache.spi.EntryKey key, byte[] entry, Duration ttl, dev.apicache.spi.Fence fence) {
        return real.put(key, entry, ttl, fence);
      }

      @Override
      public void bump(java.util.Collection<dev.apicache.spi.Counter> counters) {
        real.bump(counters);
      }

      @Override
      public boolean callsAreBounded() {
        return true;
      }

      @Override
      public void close() {
        closes.incrementAndGet();
        real.close();
      }
    };
    runner.withBean(Store.class, () -> own).withPropertyValues("apicache.policies[0].path=/api/x",
        "apicache.policies[0].ttl=10s").run(context -> assertSame(own, context.getBean(Store.class)));
    assertEquals(1, closes.get(), "by Spring, not again by the engine");
  }

  private static int closedPort() throws java.io.IOException {
    try (java.net.ServerSocket s = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    }
  }

  @Test
  void customizerBeans_addPoliciesInCode_andAdjustTheEngine() {
    runner.withBean("inCode", ApiCachePoliciesCustomizer.class, () -> b -> b.add(
            CachePolicy.forRoute("/api/in-code").ttl(Duration.ofSeconds(5)).build()))
        .withBean("honour", ApiCacheEngineCustomizer.class, () -> b -> b.honourClientCacheControl(true))
        .withPropertyValues("apicache.policies[0].path=/api/x", "apicache.policies[0].freshness=origin")
        .run(context -> {
          CacheEngine engine = context.getBean(CacheEngine.class);
          assertTrue(engine.policies().match("GET", "/api/in-code").isPresent());
          assertTrue(engine.policies().match("GET", "/api/x").isPresent());
          dev.apicache.Origin origin = r -> CacheResponse.builder(200).header("Cache-Control", "max-age=60")
              .body("1").build();
          engine.handle(CacheRequest.get("/api/x"), origin);
          assertEquals("HIT", engine.handle(CacheRequest.get("/api/x"), origin).headers().first("X-Cache").orElse(""));
          CacheResponse reload = engine.handle(CacheRequest.builder("GET", "/api/x")
              .header("Cache-Control", "no-cache").build(), origin);
          assertTrue(!"HIT".equals(reload.headers().first("X-Cache").orElse("")),
              "the customizer turned client directives on");
        });
    runner.withBean("twice", ApiCachePoliciesCustomizer.class, () -> b -> b.add(
            CachePolicy.forRoute("/api/x").ttl(Duration.ofSeconds(5)).build()))
        .withPropertyValues("apicache.policies[0].path=/api/x", "apicache.policies[0].ttl=10s")
        .run(context -> assertTrue(String.valueOf(rootCause(context.getStartupFailure())).contains("duplicate route")));
  }

  @Test
  void theHealthIndicator_saysDegradedWhileTheSharedStoreIsUnreachable() throws Exception {
    runner.withPropertyValues("apicache.store=redis", "spring.data.redis.host=127.0.0.1",
            "spring.data.redis.port=" + closedPort(), "apicache.policies[0].path=/api/x", "apicache.policies[0].ttl=10s")
        .run(context -> {
          assertNull(context.getStartupFailure());
          CacheEngine engine = context.getBean(CacheEngine.class);
          org.springframework.boot.health.contributor.HealthIndicator health =
              context.getBean("apicacheHealthIndicator", org.springframework.boot.health.contributor.HealthIndicator.class);
          await("the store's circuit opens").atMost(Duration.ofSeconds(60)).until(() -> {
            CacheResponse r = engine.handle(CacheRequest.get("/api/x"), q -> CacheResponse.builder(200).body("x").build());
            assertEquals(200, r.status(), "the application still answers");
            return health.health().getStatus().getCode().equals("DEGRADED");
          });
          assertEquals("open", health.health().getDetails().get("storeCircuit"));
        });
    runner.withPropertyValues("apicache.policies[0].path=/api/x", "apicache.policies[0].ttl=10s").run(context ->
        assertEquals("UP", context.getBean("apicacheHealthIndicator",
            org.springframework.boot.health.contributor.HealthIndicator.class).health().getStatus().getCode()));
    runner.withPropertyValues("management.health.apicache.enabled=false").run(context ->
        assertFalse(context.containsBean("apicacheHealthIndicator")));
  }
}
