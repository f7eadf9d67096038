/** The {@code apicache-proxy} program, {@link dev.apicache.proxy.server.ProxyMain}. */
@NullMarked
package dev.apicache.proxy.server;

import org.jspecify.annotations.NullMarked;
