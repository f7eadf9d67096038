/**
 * What a store implements: {@link dev.apicache.spi.Store}, a few byte-oriented primitives, and the
 * {@link dev.apicache.spi.Fence} that makes invalidation O(1) and race-safe; and what a shared
 * store's cross-node invalidation implements, {@link dev.apicache.spi.InvalidationBus}. Every store
 * runs the store contract kit ({@code dev.apicache.testing.StoreContract} in cache-core's test-jar).
 *
 * @since 0.1
 */
@NullMarked
package dev.apicache.spi;

import org.jspecify.annotations.NullMarked;
