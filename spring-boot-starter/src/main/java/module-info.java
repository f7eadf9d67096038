/**
 * The Spring Boot starter: auto-configuration of the engine, the servlet filter, the invalidator,
 * metrics, health and the actuator endpoint from {@code apicache.*} properties. Spring's modules are
 * automatic ones; an application on the class path (as Spring Boot runs) ignores this declaration.
 *
 * @since 0.1
 */
module dev.apicache.spring {
  requires transitive dev.apicache.core;
  requires transitive spring.boot;
  requires transitive spring.boot.autoconfigure;
  requires transitive spring.context;
  requires spring.beans;
  requires spring.core;
  requires org.apache.commons.logging;
  requires dev.apicache.adapter.servlet;
  requires dev.apicache.store.caffeine;
  requires static dev.apicache.store.redis;
  requires static dev.apicache.store.hazelcast;
  requires static dev.apicache.micrometer;
  requires static micrometer.core;
  requires static micrometer.observation;
  requires static micrometer.commons;
  requires static lettuce.core;
  requires static com.hazelcast.core;
  requires static jakarta.servlet;
  requires static spring.web;
  requires static spring.tx;
  requires static spring.boot.actuator;
  requires static spring.boot.health;
  requires static spring.boot.data.redis;
  requires static spring.boot.servlet;

  exports dev.apicache.spring;
  opens dev.apicache.spring to spring.core, spring.beans, spring.context;
}
