package dev.apicache.proxy;

import dev.apicache.Bytes;
import dev.apicache.CacheRequest;
import dev.apicache.CacheResponse;
import dev.apicache.Headers;
import dev.apicache.Origin;
import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.codec.http.DefaultHttpHeadersFactory;
import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.handler.timeout.IdleStateHandler;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.SequenceInputStream;
import java.net.ConnectException;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.time.Duration;
import java.util.Deque;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLException;
import org.jspecify.annotations.Nullable;

/**
 * The service behind the proxy, over pooled keep-alive HTTP/1.1 connections on the proxy's own
 * event loops: the engine's {@link Origin} for misses and refreshes, and the forwarder for
 * everything the cache does not answer.
 *
 * <p>A connection idle in the pool longer than the idle timeout is closed, so that the proxy
 * closes it before an upstream with a longer keep-alive timeout does. A request that finds its
 * pooled connection closed before any response byte arrives is sent again on a new connection
 * only when it is a GET or HEAD without a body; anything else is sent at most once.
 */
final class Upstream implements Origin {
  /** Set by the proxy from the body it forwards; a forwarded {@code Expect} would wait on a 100 nobody sends. */
  private static final Set<String> SET_BY_PROXY = Set.of("content-length", "expect");
  /** The upstream's framing of the response; the proxy sends its own. */
  static final Set<String> FRAMING = Set.of("content-length");
  private static final int MAX_HEADER_BYTES = 64 * 1024;

  private final URI base;
  private final String host;
  private final int port;
  private final Bootstrap bootstrap;
  private final Duration responseTimeout;
  private final long connectTimeoutMillis;
  private final long maxHeldBytes;
  private final String via;
  private final Deque<Channel> idle = new ConcurrentLinkedDeque<>();
  /** Nanoseconds this thread has waited for response heads: an exchange's upstream time, for its record. */
  static final ThreadLocal<long[]> WAITED = ThreadLocal.withInitial(() -> new long[1]);
  private volatile boolean closed;

  Upstream(URI base, EventLoopGroup loops, Duration connectTimeout, Duration responseTimeout, Duration idleTimeout,
      long maxHeldBytes, String via) {
    this.base = base;
    this.host = base.getHost();
    boolean tls = base.getScheme().equals("https");
    this.port = base.getPort() >= 0 ? base.getPort() : tls ? 443 : 80;
    this.responseTimeout = responseTimeout;
    this.connectTimeoutMillis = connectTimeout.toMillis();
    this.maxHeldBytes = maxHeldBytes;
    this.via = via;
    SslContext ssl = tls ? sslContext() : null;
    this.bootstrap = new Bootstrap().group(loops).channel(Transport.clientChannel())
        .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) Math.min(Integer.MAX_VALUE, connectTimeout.toMillis()))
        .option(ChannelOption.TCP_NODELAY, true)
        .option(ChannelOption.WRITE_BUFFER_WATER_MARK, new WriteBufferWaterMark(64 * 1024, 256 * 1024))
        .handler(new ChannelInitializer<SocketChannel>() {
          @Override
          protected void initChannel(SocketChannel ch) {
            if (ssl != null) {
              ch.pipeline().addLast(ssl.newHandler(ch.alloc(), host, port));
            }
            ch.pipeline().addLast(new IdleStateHandler(0, 0, idleTimeout.toMillis(), TimeUnit.MILLISECONDS) {
              @Override
              protected void channelIdle(io.netty.channel.ChannelHandlerContext ctx, IdleStateEvent evt) {
                if (idle.remove(ctx.channel())) {
                  ctx.close(); // idle in the pool: ours to close before the upstream does
                }
              }
            });
            ch.pipeline().addLast("codec", new UpstreamCodec(new HttpDecoderConfig()
                .setMaxInitialLineLength(8192).setMaxHeaderSize(MAX_HEADER_BYTES).setMaxChunkSize(64 * 1024)));
            ch.pipeline().addLast(new WritableGate());
          }
        });
  }

  private static SslContext sslContext() {
    try {
      return SslContextBuilder.forClient().build();
    } catch (SSLException e) {
      throw new IllegalStateException("no TLS for the upstream: " + e.getMessage(), e);
    }
  }

  URI base() {
    return base;
  }

  /** Closes the pooled connections; calls in progress end with their connections. */
  void close() {
    closed = true;
    for (Channel c; (c = idle.poll()) != null; ) {
      c.close();
    }
  }

  /** A connection for one call, and whether it came from the pool. */
  private record Connection(Channel channel, boolean pooled) {}

  /** An idle pooled connection that is still open, else a new one. */
  private Connection open(boolean allowPooled) throws IOException, InterruptedException {
    if (allowPooled) {
      for (Channel c; (c = idle.pollFirst()) != null; ) {
        if (c.isActive()) {
          return new Connection(c, true);
        }
      }
    }
    ChannelFuture f = bootstrap.connect(host, port);
    if (!f.await(connectTimeoutMillis + 1000L) || !f.isSuccess()) {
      f.channel().close();
      Throwable cause = f.cause();
      if (cause instanceof io.netty.channel.ConnectTimeoutException || cause == null) {
        throw new SocketTimeoutException("could not connect to the upstream " + base + " within "
            + connectTimeoutMillis + " ms");
      }
      ConnectException e = new ConnectException("could not connect to the upstream " + base + ": "
          + cause.getMessage());
      e.initCause(cause);
      throw e;
    }
    return new Connection(f.channel(), false);
  }

  /** Called on the connection's event loop when a call's response ended. */
  void finished(UpstreamCall call, boolean keepAlive) {
    Channel c = call.channel();
    c.pipeline().remove(call);
    if (keepAlive && !closed && c.isActive()) {
      idle.addFirst(c);
    } else {
      c.close();
    }
  }

  /**
   * Sends {@code head} and returns the call, whose inbox gets the response. A body, if any, is the
   * caller's to write to the call's channel, ending with a last part.
   */
  UpstreamCall send(HttpRequest head) throws IOException, InterruptedException {
    return send(head, true);
  }

  /** {@link #send(HttpRequest)}, on a new connection unless {@code allowPooled}. */
  UpstreamCall send(HttpRequest head, boolean allowPooled) throws IOException, InterruptedException {
    Connection conn = open(allowPooled);
    UpstreamCall call = new UpstreamCall(this, conn.channel(), conn.pooled());
    conn.channel().pipeline().addLast(call);
    conn.channel().pipeline().get(UpstreamCodec.class).expect(head.method());
    conn.channel().writeAndFlush(head).addListener(f -> {
      if (!f.isSuccess()) {
        call.fail(new IOException("could not send the request to the upstream: " + f.cause().getMessage(),
            f.cause()));
      }
    });
    return call;
  }

  /**
   * Sends {@code request}, which has no body, and waits for its response's head; a GET or HEAD
   * whose pooled connection turns out closed before any response byte goes once more on a new one.
   */
  UpstreamCall exchange(io.netty.handler.codec.http.FullHttpRequest request, boolean retryable,
      java.util.function.Consumer<HttpResponse> interim, HttpResponse[] head) throws IOException, InterruptedException {
    for (int attempt = 0; ; attempt++) {
      UpstreamCall call = send(request.retain(), attempt == 0);
      try {
        head[0] = head(call, interim);
        request.release();
        return call;
      } catch (IOException e) {
        call.abandon();
        if (!(retryable && attempt == 0 && call.mayRetry() && !(e instanceof SocketTimeoutException))) {
          request.release();
          throw e;
        }
      } catch (InterruptedException e) {
        call.abandon();
        request.release();
        throw e;
      }
    }
  }

  /**
   * Waits for the response's head, past interim (1xx) responses, which {@code interim} gets.
   *
   * @throws SocketTimeoutException when no head arrives within the response timeout
   */
  HttpResponse head(UpstreamCall call, java.util.function.Consumer<HttpResponse> interim)
      throws IOException, InterruptedException {
    long started = System.nanoTime();
    try {
      return awaitHead(call, interim, started + responseTimeout.toNanos());
    } finally {
      WAITED.get()[0] += System.nanoTime() - started;
    }
  }

  private HttpResponse awaitHead(UpstreamCall call, java.util.function.Consumer<HttpResponse> interim, long deadline)
      throws IOException, InterruptedException {
    while (true) {
      Object part;
      try {
        part = call.inbox.take(deadline - System.nanoTime());
      } catch (SocketTimeoutException e) {
        call.abandon();
        throw new SocketTimeoutException("the upstream did not answer within " + responseTimeout.toMillis() + " ms");
      }
      if (part instanceof Inbox.Broken b) {
        throw b.cause();
      }
      if (part instanceof HttpResponse r) {
        int status = r.status().code();
        if (status >= 200 || status == 101) {
          return r;
        }
        interim.accept(r);
      }
    }
  }

  /**
   * The next part of the body: a {@link ByteBuf} the caller releases, or null at the end. Waits up
   * to the response timeout between parts.
   */
  @Nullable ByteBuf next(UpstreamCall call) throws IOException, InterruptedException {
    Object part;
    try {
      part = call.inbox.take(responseTimeout.toNanos());
    } catch (SocketTimeoutException e) {
      call.abandon();
      throw new SocketTimeoutException("the upstream sent nothing for " + responseTimeout.toMillis() + " ms");
    }
    if (part instanceof Inbox.Broken b) {
      throw b.cause();
    }
    if (part instanceof Inbox.End) {
      return null;
    }
    return (ByteBuf) part;
  }

  /** The request line and fields the upstream gets: per-hop and framing fields removed, {@code Via} added. */
  HttpRequest requestHead(String method, String target, Headers headers) {
    HttpRequest head = new DefaultHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.valueOf(method), target,
        DefaultHttpHeadersFactory.headersFactory().withValidation(false));
    HttpHeaders h = head.headers();
    Headers forwardable = HopByHop.forwardable(headers, SET_BY_PROXY, via);
    for (int i = 0; i < forwardable.size(); i++) {
      h.add(forwardable.name(i), forwardable.value(i));
    }
    if (!h.contains("Host")) {
      h.set("Host", base.getRawAuthority());
    }
    return head;
  }

  /** The response's fields as the proxy sends them on: per-hop fields and the upstream's framing removed. */
  Headers responseHeaders(HttpResponse head) {
    Headers.Builder received = Headers.builder();
    for (var e : head.headers()) {
      received.add(e.getKey(), e.getValue());
    }
    return HopByHop.forwardable(received.build(), FRAMING, via);
  }

  /** The upstream's declared body length, or -1. */
  static long contentLength(HttpResponse head) {
    String value = head.headers().get("Content-Length");
    if (value == null) {
      return -1;
    }
    try {
      return Long.parseLong(value.trim());
    } catch (NumberFormatException e) {
      return -1;
    }
  }

  /**
   * Asks the upstream for {@code request} without a body (the engine's GETs). The body is held
   * when it ends within the hold limit without the upstream pausing; a body that pauses before
   * its end (a stream of events, a long poll) or passes the limit comes back as a pass-through
   * stream that carries each part as it arrives.
   */
  @Override
  public CacheResponse fetch(CacheRequest request) throws IOException, InterruptedException {
    HttpRequest head = requestHead(request.method(), request.target(), request.headers());
    HttpResponse[] received = new HttpResponse[1];
    UpstreamCall call = exchange(withEnd(head), isRetryable(request.method()), interim -> {}, received);
    HttpResponse response = received[0];
    Headers headers = responseHeaders(response);
    int status = response.status().code();
    long declared = contentLength(response);
    ByteArrayOutputStream held = new ByteArrayOutputStream(declared > 0 && declared <= maxHeldBytes
        ? (int) declared : 256);
    try {
      while (true) {
        Object part = declared >= 0 && declared <= maxHeldBytes ? takeWithin(call) : call.inbox.poll();
        if (part == null) {
          break; // the upstream paused: what it sent so far goes out now, the rest as it comes
        }
        if (part instanceof Inbox.Broken b) {
          throw b.cause();
        }
        if (part instanceof Inbox.End) {
          return CacheResponse.of(status, headers, Bytes.copyOf(held.toByteArray()));
        }
        ByteBuf b = (ByteBuf) part;
        try {
          b.readBytes(held, b.readableBytes());
        } finally {
          b.release();
        }
        if (held.size() > maxHeldBytes) {
          break;
        }
      }
    } catch (IOException | InterruptedException | RuntimeException e) {
      call.abandon();
      throw e;
    }
    return CacheResponse.streaming(status, headers,
        new SequenceInputStream(new ByteArrayInputStream(held.toByteArray()), new BodyStream(this, call)));
  }

  private Object takeWithin(UpstreamCall call) throws IOException, InterruptedException {
    try {
      return call.inbox.take(responseTimeout.toNanos());
    } catch (SocketTimeoutException e) {
      throw new SocketTimeoutException("the upstream sent nothing for " + responseTimeout.toMillis() + " ms");
    }
  }

  static boolean isRetryable(String method) {
    String m = method.toUpperCase(Locale.ROOT);
    return m.equals("GET") || m.equals("HEAD");
  }

  /** {@code head} as a whole request without a body. */
  static io.netty.handler.codec.http.FullHttpRequest withEnd(HttpRequest head) {
    io.netty.handler.codec.http.DefaultFullHttpRequest full = new io.netty.handler.codec.http.DefaultFullHttpRequest(
        head.protocolVersion(), head.method(), head.uri(), io.netty.buffer.Unpooled.EMPTY_BUFFER,
        DefaultHttpHeadersFactory.headersFactory().withValidation(false),
        DefaultHttpHeadersFactory.trailersFactory().withValidation(false));
    full.headers().set(head.headers());
    return full;
  }

  /** The rest of a body as an {@link InputStream}, each read returning what one part carried. */
  private static final class BodyStream extends InputStream {
    private final Upstream upstream;
    private final UpstreamCall call;
    private @Nullable ByteBuf current;
    private boolean ended;

    BodyStream(Upstream upstream, UpstreamCall call) {
      this.upstream = upstream;
      this.call = call;
    }

    @Override
    public int read() throws IOException {
      byte[] one = new byte[1];
      return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
      if (len == 0) {
        return 0;
      }
      while (current == null || !current.isReadable()) {
        if (current != null) {
          current.release();
          current = null;
        }
        if (ended) {
          return -1;
        }
        try {
          current = upstream.next(call);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new java.io.InterruptedIOException("interrupted while reading the upstream");
        }
        if (current == null) {
          ended = true;
          return -1;
        }
      }
      int n = Math.min(len, current.readableBytes());
      current.readBytes(b, off, n);
      return n;
    }

    @Override
    public void close() {
      if (current != null) {
        current.release();
        current = null;
      }
      if (!ended) {
        call.abandon();
      }
    }
  }
}
