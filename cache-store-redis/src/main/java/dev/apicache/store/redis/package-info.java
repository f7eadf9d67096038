/** The Redis store, {@link dev.apicache.store.redis.RedisStore}, its invalidation bus and cluster-wide statistics. */
@NullMarked
package dev.apicache.store.redis;

import org.jspecify.annotations.NullMarked;
