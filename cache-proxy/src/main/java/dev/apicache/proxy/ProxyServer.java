package dev.apicache.proxy;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpServerExpectContinueHandler;
import io.netty.handler.timeout.IdleStateHandler;
import io.netty.util.concurrent.GlobalEventExecutor;
import java.io.UncheckedIOException;
import java.net.BindException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.concurrent.Executor;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;

/**
 * The proxy's HTTP/1.0 and HTTP/1.1 server on Netty: event loops that parse, write and answer what
 * needs no wait (hits from memory), and one virtual thread per other request that runs the engine
 * and the upstream call in blocking style.
 *
 * <p>Stopping drains: the listener closes, idle connections close at once, a request in progress
 * is answered (with {@code Connection: close}) until the grace period ends, and only then are the
 * connections left closed and the loops shut down.
 */
final class ProxyServer {
  /** Longest request line; nginx's default buffer for it is 8 KiB as well. */
  static final int MAX_REQUEST_LINE = 8192;
  /** Largest request header section. */
  static final int MAX_HEADER_BYTES = 64 * 1024;

  /** What answers a request: the request, its connection, and its body (null when it has none). */
  interface Handler {
    /**
     * Called on the connection's event loop: answers the request there when that needs no wait and
     * returns null, or returns the work that answers it on a thread of its own.
     */
    @Nullable Runnable handle(ClientConnection connection, HttpRequest request, @Nullable Inbox body);
  }

  private final EventLoopGroup boss;
  private final EventLoopGroup workers;
  private final ChannelGroup connections = new DefaultChannelGroup(GlobalEventExecutor.INSTANCE);
  private final Executor exchanges;
  private final Handler handler;
  private final AtomicInteger inFlight = new AtomicInteger();
  private final Object drained = new Object();
  private final Duration idleTimeout;
  /** Sees each connection's channel once its pipeline is built; for the tests that watch writes. */
  private final Consumer<Channel> connectionProbe;
  private volatile boolean draining;
  private @Nullable Channel listener;

  ProxyServer(Handler handler, Duration idleTimeout, int ioThreads, Consumer<Channel> connectionProbe) {
    this.handler = handler;
    this.connectionProbe = connectionProbe;
    this.idleTimeout = idleTimeout;
    this.boss = new MultiThreadIoEventLoopGroup(1, daemon("apicache-proxy-accept"), Transport.ioHandlers());
    this.workers = new MultiThreadIoEventLoopGroup(ioThreads, daemon("apicache-proxy-io"), Transport.ioHandlers());
    this.exchanges = Executors.newThreadPerTaskExecutor(Thread.ofVirtual().name("apicache-proxy-", 0).factory());
  }

  private static ThreadFactory daemon(String name) {
    AtomicInteger n = new AtomicInteger();
    return r -> {
      Thread t = new Thread(r, name + "-" + n.incrementAndGet());
      t.setDaemon(true);
      return t;
    };
  }

  /** The event loops, which the upstream connections share. */
  EventLoopGroup loops() {
    return workers;
  }

  /**
   * Listens on {@code host:port}.
   *
   * @throws UncheckedIOException with a {@link BindException} when the address is taken or not
   *     this machine's, saying which
   */
  void bind(String host, int port) {
    ServerBootstrap b = new ServerBootstrap().group(boss, workers).channel(Transport.serverChannel())
        .option(ChannelOption.SO_BACKLOG, 1024)
        .childOption(ChannelOption.TCP_NODELAY, true)
        .childOption(ChannelOption.WRITE_BUFFER_WATER_MARK, new WriteBufferWaterMark(64 * 1024, 256 * 1024))
        .childHandler(new ChannelInitializer<SocketChannel>() {
          @Override
          protected void initChannel(SocketChannel ch) {
            ch.pipeline().addLast(new IdleStateHandler(0, 0, idleTimeout.toMillis(), TimeUnit.MILLISECONDS));
            ch.pipeline().addLast("codec", new HttpServerCodec(new HttpDecoderConfig()
                .setMaxInitialLineLength(MAX_REQUEST_LINE).setMaxHeaderSize(MAX_HEADER_BYTES)
                .setMaxChunkSize(64 * 1024)));
            ch.pipeline().addLast(new HttpServerExpectContinueHandler());
            ch.pipeline().addLast(new WritableGate());
            ch.pipeline().addLast(new ClientConnection(ProxyServer.this, ch));
            connectionProbe.accept(ch);
          }
        });
    try {
      listener = b.bind(host, port).syncUninterruptibly().channel();
    } catch (Exception e) {
      shutdownLoops();
      BindException bind = new BindException("apicache proxy cannot listen on " + host + ":" + port + ": "
          + e.getMessage());
      bind.initCause(e);
      throw new UncheckedIOException(bind.getMessage(), bind);
    }
  }

  /** The port listened on. */
  int port() {
    Channel bound = listener;
    if (bound == null) {
      throw new IllegalStateException("the proxy is not listening");
    }
    return ((InetSocketAddress) bound.localAddress()).getPort();
  }

  void opened(Channel channel) {
    connections.add(channel);
    if (draining) {
      channel.close();
    }
  }

  /**
   * Answers {@code request}: on the event loop when the handler can without waiting (a hit from
   * memory, with no hand-off between threads), otherwise on a thread of its own.
   */
  void dispatch(ClientConnection connection, HttpRequest request, @Nullable Inbox body) {
    inFlight.incrementAndGet();
    Runnable rest = handler.handle(connection, request, body);
    if (rest != null) {
      exchanges.execute(rest);
    }
  }

  void exchangeEnded() {
    if (inFlight.decrementAndGet() == 0 && draining) {
      synchronized (drained) {
        drained.notifyAll();
      }
    }
  }

  boolean draining() {
    return draining;
  }

  /** Requests in progress. */
  int inFlight() {
    return inFlight.get();
  }

  /**
   * Stops accepting, lets requests in progress finish within {@code grace}, then closes every
   * connection and the event loops. Returns whether every request finished in time.
   */
  boolean stop(Duration grace) {
    draining = true;
    if (listener != null) {
      listener.close().awaitUninterruptibly();
    }
    for (Channel c : connections) {
      ClientConnection conn = c.pipeline().get(ClientConnection.class);
      if (conn == null || conn.idle()) {
        c.eventLoop().execute(() -> {
          if (conn == null || conn.idle()) {
            c.close();
          }
        });
      }
    }
    long deadline = System.nanoTime() + grace.toNanos();
    boolean finished;
    synchronized (drained) {
      while (inFlight.get() > 0 && System.nanoTime() < deadline) {
        try {
          drained.wait(Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime())));
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          break;
        }
      }
      finished = inFlight.get() == 0;
    }
    connections.close().awaitUninterruptibly();
    shutdownLoops();
    return finished;
  }

  private void shutdownLoops() {
    boss.shutdownGracefully(0, 2, TimeUnit.SECONDS);
    workers.shutdownGracefully(0, 2, TimeUnit.SECONDS);
  }
}
