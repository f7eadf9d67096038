package dev.apicache.spring;

import dev.apicache.CacheEngine;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.health.autoconfigure.contributor.ConditionalOnEnabledHealthIndicator;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.context.annotation.Bean;

/**
 * The {@code apicache} health contributor, where Actuator's health module is present; turned off
 * with {@code management.health.apicache.enabled=false}. A class of its own, so that an application
 * without that module never reads its conditions.
 *
 * @since 0.1
 */
@AutoConfiguration(after = ApiCacheAutoConfiguration.class)
@ConditionalOnClass(HealthIndicator.class)
@ConditionalOnBean(CacheEngine.class)
@ConditionalOnEnabledHealthIndicator("apicache")
public class ApiCacheHealthAutoConfiguration {
  /** {@code UP}, or {@code DEGRADED} while the store is unreachable or invalidations wait. */
  @Bean
  @ConditionalOnMissingBean(name = "apicacheHealthIndicator")
  public HealthIndicator apicacheHealthIndicator(CacheEngine engine) {
    return new ApiCacheHealthIndicator(engine);
  }
}
