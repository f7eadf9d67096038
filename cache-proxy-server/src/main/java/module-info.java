/**
 * {@code apicache proxy} as a program: configuration, stores, health, Prometheus metrics and the
 * access log around the proxy.
 *
 * @since 0.1
 */
module dev.apicache.proxy.server {
  requires dev.apicache.proxy;
  requires dev.apicache.micrometer;
  requires dev.apicache.store.caffeine;
  requires dev.apicache.store.redis;
  requires dev.apicache.store.hazelcast;
  requires micrometer.registry.prometheus;
  requires jdk.httpserver;

  exports dev.apicache.proxy.server;
}
