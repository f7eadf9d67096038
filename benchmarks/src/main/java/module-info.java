/**
 * The JMH suites ({@code ./apicache bench}). Not published; the suites run from a shaded jar on the
 * class path, as JMH expects.
 */
open module dev.apicache.bench {
  requires dev.apicache.core;
  requires dev.apicache.demo;
  requires dev.apicache.adapter.servlet;
  requires dev.apicache.adapter.javalin;
  requires dev.apicache.adapter.helidon;
  requires dev.apicache.store.caffeine;
  requires dev.apicache.store.redis;
  requires dev.apicache.store.hazelcast;
  requires aircompressor;
  requires com.github.benmanes.caffeine; // the floor: a plain Caffeine lookup
  requires java.net.http;
  requires jmh.core;
  requires org.eclipse.jetty.ee10.servlet;
  requires org.eclipse.jetty.server;
  requires org.eclipse.jetty.util;
  requires io.helidon.webserver;
}
