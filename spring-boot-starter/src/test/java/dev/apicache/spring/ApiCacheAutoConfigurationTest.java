package dev.apicache.spring;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
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
import dev.apicache.store.redis.RedisProcess;
import dev.apicache.store.redis.RedisStore;
import java.net.URI;
import java.time.Duration;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

/** The auto-configuration's conditions and properties, in application contexts of their own. */
class ApiCacheAutoConfigurationTest {
  private final ApplicationContextRunner runner = new ApplicationContextRunner()
      .withConfiguration(AutoConfigurations.of(ApiCacheAutoConfiguration.class));

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
          Throwable cause = rootCause(context.getStartupFailure());
          assertTrue(cause instanceof PolicyConfigException, String.valueOf(cause));
          assertTrue(cause.getMessage().contains("tenant"), cause.getMessage());
        });
    runner.withPropertyValues("apicache.policy-file=classpath:test-cache-policies.yaml",
            "apicache.policies[0].path=/api/x")
        .run(context -> assertTrue(rootCause(context.getStartupFailure()).getMessage().contains("give one")));
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
  void enabledFalse_configuresNothing() {
    runner.withPropertyValues("apicache.enabled=false").run(context -> {
      assertEquals(0, context.getBeanNamesForType(CacheEngine.class).length);
      assertEquals(0, context.getBeanNamesForType(ApiCacheEndpoint.class).length);
    });
  }
}
