package dev.apicache.spring;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * Where apicache does not cache ({@code apicache.enabled=false}, or a reactive application, which
 * has no adapter yet): a disabled {@link ApiCacheInvalidator}, so that an application that injects
 * one starts and runs unchanged, as with {@code spring.cache.type=none}. A reactive application is
 * told so once at startup, since nothing it serves is cached.
 *
 * @since 0.1
 */
@AutoConfiguration(after = ApiCacheAutoConfiguration.class)
public class ApiCacheFallbackAutoConfiguration {
  private static final Log LOG = LogFactory.getLog(ApiCacheFallbackAutoConfiguration.class);

  /** The invalidator that does nothing, when the main configuration made none. */
  @Bean
  @ConditionalOnMissingBean
  public ApiCacheInvalidator apiCacheInvalidator() {
    return ApiCacheInvalidator.disabled();
  }

  /** A reactive application that has not turned apicache off: one warning, at startup. */
  @Configuration(proxyBeanMethods = false)
  @ConditionalOnWebApplication(type = ConditionalOnWebApplication.Type.REACTIVE)
  @ConditionalOnBooleanProperty(name = "apicache.enabled", matchIfMissing = true)
  static class Reactive {
    Reactive() {
      LOG.warn("apicache caches nothing in this application: it is a reactive (WebFlux) application, and apicache"
          + " fronts servlet applications only so far; ApiCacheInvalidator does nothing. Set apicache.enabled=false"
          + " to say so, or remove apicache-spring-boot-starter.");
    }
  }
}
