package dev.apicache.spring;

import dev.apicache.CacheEngine;

/**
 * Adjusts the engine the starter builds, after {@code apicache.*} has been applied: a clock, a
 * revalidation executor, client cache directives. Every bean of this type is applied, in
 * {@link org.springframework.core.annotation.Order} order; an application's own
 * {@link CacheEngine} bean replaces the starter's and skips them.
 *
 * @since 0.1
 */
@FunctionalInterface
public interface ApiCacheEngineCustomizer {
  /** Changes {@code builder} as the application needs. */
  void customize(CacheEngine.Builder builder);
}
