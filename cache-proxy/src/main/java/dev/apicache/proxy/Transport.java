package dev.apicache.proxy;

import io.netty.channel.IoHandlerFactory;
import io.netty.channel.ServerChannel;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;

/**
 * The event loops' transport: Linux's epoll through Netty's native library where it loads (fewer
 * system calls and no JDK selector between the loop and the socket), the JDK's NIO elsewhere, or
 * when {@code -Dio.netty.transport.noNative=true} asks for it. Client and upstream connections
 * share the loops, so both use the same one.
 */
final class Transport {
  private static final boolean EPOLL = Epoll.isAvailable();

  private Transport() {}

  /** The transport in use: {@code epoll} or {@code nio}. */
  static String name() {
    return EPOLL ? "epoll" : "nio";
  }

  static IoHandlerFactory ioHandlers() {
    return EPOLL ? EpollIoHandler.newFactory() : NioIoHandler.newFactory();
  }

  static Class<? extends ServerChannel> serverChannel() {
    return EPOLL ? EpollServerSocketChannel.class : NioServerSocketChannel.class;
  }

  static Class<? extends SocketChannel> clientChannel() {
    return EPOLL ? EpollSocketChannel.class : NioSocketChannel.class;
  }
}
