/**
 * The Redis store over Lettuce (standalone, Sentinel and Cluster), its confirmed invalidation bus
 * and cluster-wide statistics.
 *
 * @since 0.1
 */
module dev.apicache.store.redis {
  requires transitive dev.apicache.core;
  requires transitive lettuce.core;
  requires hash4j;

  exports dev.apicache.store.redis;
}
