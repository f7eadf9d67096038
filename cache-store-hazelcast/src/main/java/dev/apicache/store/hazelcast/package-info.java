/** The Hazelcast store, {@link dev.apicache.store.hazelcast.HazelcastStore}, and its invalidation bus. */
@NullMarked
package dev.apicache.store.hazelcast;

import org.jspecify.annotations.NullMarked;
