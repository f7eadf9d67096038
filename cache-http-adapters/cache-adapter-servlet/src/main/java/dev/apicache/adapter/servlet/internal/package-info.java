/**
 * Not API: the servlet binding of {@code dev.apicache.adapter.ServerExchange}, shared with the
 * Javalin adapter (which runs on Jetty's servlet container) and exported only to it.
 */
package dev.apicache.adapter.servlet.internal;
