/**
 * The caching reverse proxy on Netty ({@code ApiCacheProxy}): the engine in front of any HTTP
 * service.
 *
 * @since 0.1
 */
module dev.apicache.proxy {
  requires transitive dev.apicache.core;
  requires io.netty.buffer;
  requires io.netty.codec;
  requires io.netty.codec.http;
  requires io.netty.common;
  requires io.netty.handler;
  requires io.netty.transport;
  requires io.netty.transport.classes.epoll;

  exports dev.apicache.proxy;
}
