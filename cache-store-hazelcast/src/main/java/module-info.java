/**
 * The Hazelcast store and its confirmed invalidation bus.
 *
 * @since 0.1
 */
module dev.apicache.store.hazelcast {
  requires transitive dev.apicache.core;
  requires transitive com.hazelcast.core;

  exports dev.apicache.store.hazelcast;
}
