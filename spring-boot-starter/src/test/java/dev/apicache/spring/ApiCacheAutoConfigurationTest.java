package dev.apicache.spring;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.apicache.CacheEngine;
import dev.apicache.CachePolicies;
import dev.apicache.CachePolicy;
import dev.apicache.KeyFunction;
import dev.apicache.PolicyConfigException;
import dev.apicache.micrometer.ApiCacheMetrics;
import dev.apicache.spi.Store;
import dev.apicache.store.caffeine.CaffeineStore;
import java.time.Duration;
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
          assertTrue(engine.policies().policies().stream().anyMatch(p -> p.originDirected().isPresent()));
          assertEquals(1, engine.policies().writes().size());
          assertTrue(context.getBean(Store.class) instanceof CaffeineStore);
          assertNotNull(context.getBean(ApiCacheMetrics.class));
          assertNotNull(context.getBean(ApiCacheEndpoint.class));
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
