/**
 * What a store implements: {@link dev.apicache.spi.Store}, a few byte-oriented primitives, and the
 * {@link dev.apicache.spi.Fence} that makes invalidation O(1) and race-safe. Every implementation
 * runs the store contract kit ({@code dev.apicache.testing.StoreContract} in cache-core's test-jar).
 */
package dev.apicache.spi;
