package dev.apicache.spring;

import dev.apicache.CacheEngine;
import dev.apicache.CachePolicies;
import dev.apicache.KeyFunction;
import dev.apicache.PolicyConfigException;
import dev.apicache.PolicyFile;
import dev.apicache.adapter.servlet.ApiCacheFilter;
import dev.apicache.micrometer.ApiCacheMetrics;
import dev.apicache.micrometer.ApiCacheObservations;
import dev.apicache.spi.Store;
import dev.apicache.store.caffeine.CaffeineStore;
import io.micrometer.common.KeyValue;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.observation.ObservationFilter;
import io.micrometer.observation.ObservationRegistry;
import jakarta.servlet.http.HttpServletRequest;
import java.io.IOException;
import java.io.InputStream;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.springframework.beans.factory.ListableBeanFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.actuate.endpoint.annotation.Endpoint;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication;
import org.springframework.boot.autoconfigure.condition.NoneNestedConditions;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.web.servlet.FilterRegistrationBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Conditional;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.core.env.Environment;
import org.springframework.core.io.Resource;
import org.springframework.core.io.ResourceLoader;
import org.springframework.http.server.observation.ServerRequestObservationContext;

/**
 * Spring Boot auto-configuration for apicache: policies from {@code apicache.*} (inline or a policy
 * file, relative to the servlet context path), a store, the engine, the servlet filter registered
 * after Spring Security and before the controllers, Micrometer meters, the request observation's
 * route and cache outcome, observations of fills, revalidations and store calls, and the
 * {@code apicache} Actuator endpoint (the health indicator is
 * {@link ApiCacheHealthAutoConfiguration}'s). Every
 * bean gives way to one of the application's own.
 *
 * <p>{@code apicache.enabled=false} turns it all off, and so does a reactive application, which
 * apicache cannot front yet; {@link ApiCacheFallbackAutoConfiguration} then leaves a disabled
 * {@link ApiCacheInvalidator} so that the application starts unchanged.
 *
 * @since 0.1
 */
@AutoConfiguration
@ConditionalOnBooleanProperty(name = "apicache.enabled", matchIfMissing = true)
@Conditional(ApiCacheAutoConfiguration.NotReactive.class)
@EnableConfigurationProperties(ApiCacheProperties.class)
public class ApiCacheAutoConfiguration {
  /**
   * After Spring Security's filter chain (order -100) and Boot's request wrappers, before the
   * application's own filters and the controllers: a cached answer never skips a check.
   */
  public static final int FILTER_ORDER = Ordered.LOWEST_PRECEDENCE - 100;

  /** Not in a reactive web application, where the servlet filter would never run. */
  static final class NotReactive extends NoneNestedConditions {
    NotReactive() {
      super(ConfigurationPhase.PARSE_CONFIGURATION);
    }

    @ConditionalOnWebApplication(type = ConditionalOnWebApplication.Type.REACTIVE)
    static final class Reactive {}
  }

  /**
   * The policies: the policy file's when one is given, else the inline ones, relative to
   * {@code server.servlet.context-path}; {@code key:NAME} parts name {@link KeyFunction} beans, and
   * every {@link ApiCachePoliciesCustomizer} adds its own.
   */
  @Bean
  @ConditionalOnMissingBean
  public CachePolicies apiCachePolicies(ApiCacheProperties properties, ResourceLoader resources,
      ListableBeanFactory beans, Environment environment, ObjectProvider<ApiCachePoliciesCustomizer> customizers) {
    // key:NAME parts name KeyFunction beans by their bean names
    Map<String, KeyFunction> functions = beans.getBeansOfType(KeyFunction.class);
    CachePolicies configured = configuredPolicies(properties, resources, environment, functions);
    CachePolicies.Builder builder = CachePolicies.builder();
    try {
      builder.basePath(environment.getProperty("server.servlet.context-path", ""));
    } catch (PolicyConfigException e) {
      throw ApiCacheConfigurationException.at(environment, "server.servlet.context-path", e.reason(),
          "Give the context path as a plain path such as /shop.", e);
    }
    builder.addAll(configured.policies());
    configured.writes().forEach(builder::write);
    functions.forEach(builder::keyFunction);
    customizers.orderedStream().forEach(c -> c.customize(builder));
    return builder.build();
  }

  private static CachePolicies configuredPolicies(ApiCacheProperties properties, ResourceLoader resources,
      Environment environment, Map<String, KeyFunction> functions) {
    if (properties.policyFile() != null) {
      if (!properties.policies().isEmpty() || !properties.writes().isEmpty()) {
        throw ApiCacheConfigurationException.at(environment, "apicache.policy-file",
            "apicache.policy-file and inline apicache.policies/writes are two sources of one list",
            "Give the policies either in the policy file or inline, not both.", null);
      }
      Resource file = resources.getResource(properties.policyFile());
      String text;
      try (InputStream in = file.getInputStream()) {
        text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
      } catch (IOException e) {
        throw ApiCacheConfigurationException.at(environment, "apicache.policy-file", "cannot be read: "
            + e.getMessage(), "Point apicache.policy-file at a readable resource, such as"
            + " classpath:cache-policies.yaml.", e);
      }
      try {
        return PolicyFile.parse(text, properties.policyFile(), functions);
      } catch (PolicyConfigException e) {
        throw ApiCacheConfigurationException.at(environment, "apicache.policy-file", String.valueOf(e.getMessage()),
            "Correct the policy file; its fields and rules are in the policy file reference of apicache's"
                + " README.", e);
      }
    }
    if (properties.policies().isEmpty() && properties.writes().isEmpty()) {
      return CachePolicies.builder().build(); // nothing configured yet: nothing is cached
    }
    try {
      return PolicyFile.fromTree(InlinePolicies.tree(properties), "apicache.* properties", functions);
    } catch (PolicyConfigException e) {
      throw ApiCacheConfigurationException.inline(environment, e);
    }
  }

  /**
   * The store {@code apicache.store} names: in-process Caffeine bounded by
   * {@code apicache.caffeine-maximum-bytes}; Redis at the server Spring Boot's Redis connection
   * details name (standalone, Sentinel or Cluster, with the SSL bundle; from
   * {@code spring.data.redis.*} or a {@code @ServiceConnection}), or, without Spring Data Redis,
   * at the server {@code spring.data.redis.*} names; or Hazelcast through the application's
   * {@code HazelcastInstance} bean. Spring closes it, after the engine.
   */
  @Bean
  @ConditionalOnMissingBean
  public Store apiCacheStore(ApiCacheProperties properties, Environment environment, ListableBeanFactory beans) {
    switch (properties.store()) {
      case REDIS:
        StoreFactories.require(environment, "dev.apicache.store.redis.RedisStore", "apicache-store-redis");
        return StoreFactories.Redis.create(environment, beans, properties.keyPrefix(), properties.storeTimeout());
      case HAZELCAST:
        StoreFactories.require(environment, "dev.apicache.store.hazelcast.HazelcastStore",
            "apicache-store-hazelcast");
        return StoreFactories.Hazelcast.create(environment, beans);
      default:
        return CaffeineStore.builder().maximumBytes(properties.caffeineMaximumBytes()).build();
    }
  }

  /**
   * The engine over the store bean, which it leaves to Spring to close; every
   * {@link ApiCacheEngineCustomizer} adjusts it last.
   */
  @Bean(destroyMethod = "close")
  @ConditionalOnMissingBean
  public CacheEngine apiCacheEngine(CachePolicies policies, Store store, ApiCacheProperties properties,
      ObjectProvider<ApiCacheEngineCustomizer> customizers) {
    CacheEngine.Builder builder = CacheEngine.builder(policies, store).closesStore(false)
        .storeTimeout(properties.storeTimeout())
        .invalidationPatience(properties.invalidationPatience())
        .xCacheHeader(properties.xCacheHeader()).cacheStatusHeader(properties.cacheStatusHeader());
    customizers.orderedStream().forEach(c -> c.customize(builder));
    return builder.build();
  }

  /** The Redis URI of Spring's {@code spring.data.redis.*} settings. */
  static String redisUri(Environment env) {
    String url = env.getProperty("spring.data.redis.url");
    if (url != null && !url.isBlank()) {
      return url;
    }
    boolean ssl = env.getProperty("spring.data.redis.ssl.enabled", Boolean.class, false);
    String user = env.getProperty("spring.data.redis.username");
    String password = env.getProperty("spring.data.redis.password");
    String credentials = password == null ? "" : (user == null ? "" : encode(user)) + ":" + encode(password) + "@";
    return (ssl ? "rediss://" : "redis://") + credentials + env.getProperty("spring.data.redis.host", "localhost")
        + ":" + env.getProperty("spring.data.redis.port", "6379") + "/"
        + env.getProperty("spring.data.redis.database", "0");
  }

  private static String encode(String part) {
    return URLEncoder.encode(part, StandardCharsets.UTF_8).replace("+", "%20");
  }

  /**
   * Invalidation that waits for the caller's transaction to commit; purge URLs are relative to the
   * context path.
   */
  @Bean
  @ConditionalOnMissingBean
  public ApiCacheInvalidator apiCacheInvalidator(CacheEngine engine, Environment environment) {
    return new ApiCacheInvalidator(engine, environment.getProperty("server.servlet.context-path", ""));
  }

  /** The filter in front of the servlet application. */
  @Configuration(proxyBeanMethods = false)
  @ConditionalOnWebApplication(type = ConditionalOnWebApplication.Type.SERVLET)
  @ConditionalOnClass(FilterRegistrationBean.class)
  static class Servlet {
    @Bean
    @ConditionalOnMissingBean(name = "apiCacheFilter")
    FilterRegistrationBean<ApiCacheFilter> apiCacheFilter(CacheEngine engine) {
      FilterRegistrationBean<ApiCacheFilter> registration = new FilterRegistrationBean<>(ApiCacheFilter.create(engine));
      registration.addUrlPatterns("/*");
      registration.setAsyncSupported(true);
      registration.setOrder(FILTER_ORDER);
      return registration;
    }
  }

  /**
   * The servlet request observation ({@code http.server.requests} and its span) of every request:
   * an {@code apicache} key with what the cache did ({@code HIT}, {@code STALE}, {@code MISS},
   * {@code BYPASS}, {@code WRITE}, or {@code NONE}), and, for an answer from the cache, which never
   * reaches a controller, the policy's route as its {@code uri} instead of {@code UNKNOWN}.
   */
  @Configuration(proxyBeanMethods = false)
  @ConditionalOnWebApplication(type = ConditionalOnWebApplication.Type.SERVLET)
  @ConditionalOnClass({ObservationFilter.class, ServerRequestObservationContext.class})
  static class Observations {
    @Bean
    @ConditionalOnMissingBean(name = "apiCacheObservationFilter")
    ObservationFilter apiCacheObservationFilter() {
      return context -> {
        if (context instanceof ServerRequestObservationContext server) {
          HttpServletRequest request = server.getCarrier();
          if (request == null) {
            return context;
          }
          Object outcome = request.getAttribute(ApiCacheFilter.OUTCOME_ATTRIBUTE);
          server.addLowCardinalityKeyValue(KeyValue.of("apicache", outcome == null ? "NONE" : outcome.toString()));
          Object policy = request.getAttribute(ApiCacheFilter.POLICY_ATTRIBUTE);
          if (policy != null && server.getPathPattern() == null) {
            server.addLowCardinalityKeyValue(KeyValue.of("uri", policy.toString()));
          }
        }
        return context;
      };
    }
  }

  /**
   * Fills, background revalidations and store calls as Micrometer Observations, in the
   * application's {@code ObservationRegistry} (so timers, and spans where tracing is set up).
   */
  @Configuration(proxyBeanMethods = false)
  @ConditionalOnClass({ObservationRegistry.class, ApiCacheObservations.class})
  static class EngineObservations {
    @Bean
    @Order(Ordered.HIGHEST_PRECEDENCE) // an application's own customizer may still replace it
    ApiCacheEngineCustomizer apiCacheObservationsCustomizer(ObjectProvider<ObservationRegistry> registry) {
      return builder -> registry.ifAvailable(r -> builder.observer(ApiCacheObservations.of(r)));
    }
  }

  /** The engine's counters as meters, which Boot binds to every registry. */
  @Configuration(proxyBeanMethods = false)
  @ConditionalOnClass({MeterRegistry.class, ApiCacheMetrics.class})
  static class Metrics {
    @Bean
    @ConditionalOnMissingBean
    ApiCacheMetrics apiCacheMetrics(CacheEngine engine) {
      return ApiCacheMetrics.of(engine, "apicache");
    }
  }

  /** The Actuator endpoint, exposed and secured by Actuator's own settings. */
  @Configuration(proxyBeanMethods = false)
  @ConditionalOnClass(Endpoint.class)
  static class Actuator {
    @Bean
    @ConditionalOnMissingBean
    ApiCacheEndpoint apiCacheEndpoint(CacheEngine engine, Environment environment) {
      return new ApiCacheEndpoint(engine, environment.getProperty("server.servlet.context-path", ""));
    }
  }
}
