/**
 * Micrometer meters ({@code ApiCacheMetrics}) and observations ({@code ApiCacheObservations}) for
 * an engine.
 *
 * @since 0.1
 */
module dev.apicache.micrometer {
  requires transitive dev.apicache.core;
  requires transitive micrometer.core;
  requires transitive micrometer.observation;
  requires static micrometer.commons;

  exports dev.apicache.micrometer;
}
