/**
 * The Helidon SE adapter: one HTTP feature ({@code ApiCacheFeature}) in front of the routing.
 *
 * @since 0.1
 */
module dev.apicache.adapter.helidon {
  requires transitive dev.apicache.core;
  requires transitive io.helidon.webserver;
  requires io.helidon.http;
  requires io.helidon.common;

  exports dev.apicache.adapter.helidon;
}
