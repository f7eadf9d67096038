package dev.apicache;

import java.util.Optional;

/**
 * Derives one part of a cache key from a request, usually from what the application authenticated
 * (the tenant of the principal), referenced from a policy as {@code key:NAME}.
 *
 * <p>Must be a pure function of the request and fast; it runs on every request of its policies.
 * Returning empty means "cannot tell": the request then bypasses the cache rather than risk sharing
 * one caller's response with another. An exception is treated the same way, and counted.
 *
 * @since 0.1
 */
@FunctionalInterface
public interface KeyFunction {
  Optional<String> keyOf(CacheRequest request);

  /** A key function that reads the request attribute {@code name} (its {@code toString()}). */
  static KeyFunction attribute(String name) {
    return request -> request.attribute(name).map(Object::toString);
  }
}
