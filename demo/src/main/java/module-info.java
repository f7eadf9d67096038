/**
 * The demo service and the scenario runner ({@code ./apicache serve}, {@code ./apicache scenario}):
 * a product API on a real database behind each framework adapter and store. Not published.
 */
module dev.apicache.demo {
  requires dev.apicache.core;
  requires dev.apicache.adapter.servlet;
  requires dev.apicache.adapter.javalin;
  requires dev.apicache.adapter.helidon;
  requires dev.apicache.store.caffeine;
  requires dev.apicache.store.redis;
  requires dev.apicache.store.hazelcast;
  requires com.fasterxml.jackson.databind;
  requires com.github.benmanes.caffeine; // the replaced layer's own cache, the scenario's baseline
  requires com.h2database;
  requires com.zaxxer.hikari;
  requires embedded.postgres;
  requires org.eclipse.jetty.ee10.servlet;
  requires org.eclipse.jetty.server;
  requires org.eclipse.jetty.util;
  requires io.helidon.http;
  requires io.helidon.webserver;
  requires java.desktop; // ImageIO draws the scenario's chart
  requires java.management;
  requires java.net.http;
  requires java.sql;

  exports dev.apicache.demo;
}
