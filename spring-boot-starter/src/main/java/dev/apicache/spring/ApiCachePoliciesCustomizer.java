package dev.apicache.spring;

import dev.apicache.CachePolicies;

/**
 * Adds to the policies the starter reads from {@code apicache.*} or the policy file: policies and
 * write rules built in code. The builder already holds the configured ones, the
 * {@link dev.apicache.KeyFunction} beans (which are what {@code key:NAME} parts name) and the
 * context path; building checks the whole set, so a route declared twice still fails startup. Every bean of this type is applied, in
 * {@link org.springframework.core.annotation.Order} order.
 *
 * @since 0.1
 */
@FunctionalInterface
public interface ApiCachePoliciesCustomizer {
  /** Adds to {@code builder} what the application declares in code. */
  void customize(CachePolicies.Builder builder);
}
