package dev.apicache.spring;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.apicache.CacheEngine;
import dev.apicache.CachePolicies;
import dev.apicache.KeyFunction;
import dev.apicache.PolicyConfigException;
import dev.apicache.PolicyFile;
import dev.apicache.adapter.servlet.ApiCacheFilter;
import dev.apicache.micrometer.ApiCacheMetrics;
import dev.apicache.spi.Store;
import dev.apicache.store.caffeine.CaffeineStore;
import io.micrometer.core.instrument.MeterRegistry;
import java.io.IOException;
import java.io.InputStream;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.springframework.beans.factory.ListableBeanFactory;
import org.springframework.boot.actuate.endpoint.annotation.Endpoint;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.web.servlet.FilterRegistrationBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.Ordered;
import org.springframework.core.env.Environment;
import org.springframework.core.io.Resource;
import org.springframework.core.io.ResourceLoader;

/**
 * Spring Boot auto-configuration for apicache: policies from {@code apicache.*} (inline or a policy
 * file), a Caffeine store, the engine, the servlet filter registered after Spring Security and
 * before the controllers, Micrometer meters and the {@code apicache} Actuator endpoint. Every bean
 * gives way to one of the application's own; {@code apicache.enabled=false} turns it all off.
 */
@AutoConfiguration
@ConditionalOnBooleanProperty(name = "apicache.enabled", matchIfMissing = true)
@EnableConfigurationProperties(ApiCacheProperties.class)
public class ApiCacheAutoConfiguration {
  /**
   * After Spring Security's filter chain (order -100) and Boot's request wrappers, before the
   * application's own filters and the controllers: a cached answer never skips a check.
   */
  public static final int FILTER_ORDER = Ordered.LOWEST_PRECEDENCE - 100;

  /**
   * The policies: the policy file's when one is given, else the inline ones; {@code key:NAME} parts
   * name {@link KeyFunction} beans.
   */
  @Bean
  @ConditionalOnMissingBean
  public CachePolicies apiCachePolicies(ApiCacheProperties properties, ResourceLoader resources,
      ListableBeanFactory beans) {
    // key:NAME parts name KeyFunction beans by their bean names
    Map<String, KeyFunction> functions = beans.getBeansOfType(KeyFunction.class);
    if (properties.policyFile() != null) {
      if (!properties.policies().isEmpty() || !properties.writes().isEmpty()) {
        throw new PolicyConfigException("apicache.policy-file and inline apicache.policies/writes are two sources"
            + " of one list: give one");
      }
      Resource file = resources.getResource(properties.policyFile());
      try (InputStream in = file.getInputStream()) {
        return PolicyFile.parse(new String(in.readAllBytes(), StandardCharsets.UTF_8), properties.policyFile(),
            functions);
      } catch (IOException e) {
        throw new PolicyConfigException("apicache.policy-file " + properties.policyFile() + " cannot be read: "
            + e.getMessage(), e);
      }
    }
    if (properties.policies().isEmpty() && properties.writes().isEmpty()) {
      return CachePolicies.builder().build(); // nothing configured yet: nothing is cached
    }
    return PolicyFile.parse(inlineAsJson(properties), "apicache.* properties", functions);
  }

  /**
   * The store {@code apicache.store} names: in-process Caffeine bounded by
   * {@code apicache.caffeine-maximum-bytes}, Redis at the server Spring's own
   * {@code spring.data.redis.*} settings name (url, or host, port, username, password, database and
   * ssl.enabled), or Hazelcast through the application's {@code HazelcastInstance} bean.
   */
  @Bean(destroyMethod = "")
  @ConditionalOnMissingBean
  public Store apiCacheStore(ApiCacheProperties properties, Environment environment, ListableBeanFactory beans) {
    switch (properties.store()) {
      case REDIS:
        StoreFactories.require("dev.apicache.store.redis.RedisStore", "apicache-store-redis");
        return StoreFactories.Redis.create(redisUri(environment), properties.keyPrefix(), properties.storeTimeout());
      case HAZELCAST:
        StoreFactories.require("dev.apicache.store.hazelcast.HazelcastStore", "apicache-store-hazelcast");
        return StoreFactories.Hazelcast.create(beans);
      default:
        return CaffeineStore.builder().maximumBytes(properties.caffeineMaximumBytes()).build();
    }
  }

  /** The engine; closing it closes the store. */
  @Bean(destroyMethod = "close")
  @ConditionalOnMissingBean
  public CacheEngine apiCacheEngine(CachePolicies policies, Store store, ApiCacheProperties properties) {
    return CacheEngine.builder(policies, store).storeTimeout(properties.storeTimeout())
        .invalidationPatience(properties.invalidationPatience())
        .xCacheHeader(properties.xCacheHeader()).cacheStatusHeader(properties.cacheStatusHeader()).build();
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

  /** Invalidation that waits for the caller's transaction to commit. */
  @Bean
  @ConditionalOnMissingBean
  public ApiCacheInvalidator apiCacheInvalidator(CacheEngine engine) {
    return new ApiCacheInvalidator(engine);
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

  /** The engine's counters as meters, which Boot binds to every registry. */
  @Configuration(proxyBeanMethods = false)
  @ConditionalOnClass(MeterRegistry.class)
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
    ApiCacheEndpoint apiCacheEndpoint(CacheEngine engine) {
      return new ApiCacheEndpoint(engine);
    }
  }

  /** The inline policies as a policy file, so that one reader checks both, with the same messages. */
  static String inlineAsJson(ApiCacheProperties properties) {
    List<Map<String, Object>> policies = new ArrayList<>();
    for (ApiCacheProperties.Policy p : properties.policies()) {
      Map<String, Object> m = new LinkedHashMap<>();
      put(m, "path", p.path());
      list(m, "methods", p.methods());
      duration(m, "ttl", p.ttl());
      duration(m, "staleWhileRevalidate", p.staleWhileRevalidate());
      duration(m, "staleIfError", p.staleIfError());
      list(m, "varyBy", p.varyBy());
      list(m, "invalidateOn", p.invalidateOn());
      list(m, "tags", p.tags());
      put(m, "cacheControl", p.cacheControl());
      put(m, "maxBodySize", p.maxBodySize());
      put(m, "shared", p.shared());
      put(m, "shareAcrossHosts", p.shareAcrossHosts());
      put(m, "freshness", p.freshness());
      duration(m, "minTtl", p.minTtl());
      duration(m, "maxTtl", p.maxTtl());
      put(m, "compress", p.compress());
      policies.add(m);
    }
    List<Map<String, Object>> writes = new ArrayList<>();
    for (ApiCacheProperties.Write w : properties.writes()) {
      Map<String, Object> m = new LinkedHashMap<>();
      put(m, "path", w.path());
      list(m, "methods", w.methods());
      list(m, "events", w.events());
      writes.add(m);
    }
    Map<String, Object> root = new LinkedHashMap<>();
    root.put("policies", policies);
    if (!writes.isEmpty()) {
      root.put("writes", writes);
    }
    try {
      return new ObjectMapper().writeValueAsString(root);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("plain maps always serialise", e);
    }
  }

  private static void put(Map<String, Object> m, String key, Object value) {
    if (value != null) {
      m.put(key, value);
    }
  }

  private static void list(Map<String, Object> m, String key, List<String> values) {
    if (values != null && !values.isEmpty()) {
      m.put(key, values);
    }
  }

  private static void duration(Map<String, Object> m, String key, Duration value) {
    if (value != null) {
      m.put(key, value.toMillis() + "ms");
    }
  }
}
