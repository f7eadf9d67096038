package dev.apicache.proxy;

import dev.apicache.Bytes;
import dev.apicache.Headers;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.DefaultHttpHeadersFactory;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.DefaultLastHttpContent;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.channels.ClosedChannelException;
import java.util.Locale;
import org.jspecify.annotations.Nullable;

/**
 * The response to one client request, written from the exchange's thread (or, for a hit from memory,
 * the connection's event loop): a head, then body parts
 * each flushed as it comes (so a stream reaches the client as the upstream sends it), then the end.
 * A write waits while the client is slow to read.
 *
 * <p>Framing is the proxy's: {@code Content-Length} when the length is known, else chunked for an
 * HTTP/1.1 client and the connection's close for an HTTP/1.0 one. The connection stays open after
 * the response only when the client asked to keep it, its request was read to the end, and the
 * proxy is not draining.
 */
final class ClientResponse {
  private static final HttpHeaders NO_TRAILERS = new DefaultLastHttpContent().trailingHeaders();

  private final ClientConnection connection;
  private final Channel channel;
  private final boolean http10;
  private final boolean head;
  private final long writeTimeoutNanos;
  private final DirectBodies bodies;
  private boolean started;
  private boolean ended;
  private int status;
  private long bytesSent;
  private String cache = "-";
  private boolean keepAlive;
  private @Nullable ChannelFuture last;

  ClientResponse(ClientConnection connection, boolean http10, boolean head, boolean keepAliveAsked,
      long writeTimeoutNanos, DirectBodies bodies) {
    this.bodies = bodies;
    this.connection = connection;
    this.channel = connection.channel();
    this.http10 = http10;
    this.head = head;
    this.keepAlive = keepAliveAsked;
    this.writeTimeoutNanos = writeTimeoutNanos;
  }

  boolean started() {
    return started;
  }

  boolean ended() {
    return ended;
  }

  int status() {
    return status;
  }

  long bytesSent() {
    return bytesSent;
  }

  /** What the cache did, as the response's {@code X-Cache} says, or {@code -}. */
  String cache() {
    return cache;
  }

  /** Names what the cache did when no field says it (a tunnel). */
  void cache(String outcome) {
    cache = outcome;
  }

  private void noted(int code, Headers headers) {
    status = code;
    cache = headers.first("X-Cache").orElse(cache);
  }

  /** Sends an interim (1xx) response on, to an HTTP/1.1 client; an HTTP/1.0 client cannot take one. */
  void interim(HttpResponse interim) {
    if (!http10 && !started) {
      HttpResponse copy = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, interim.status(), Unpooled.EMPTY_BUFFER,
          DefaultHttpHeadersFactory.headersFactory().withValidation(false),
          DefaultHttpHeadersFactory.trailersFactory().withValidation(false));
      copy.headers().set(interim.headers());
      channel.writeAndFlush(copy);
    }
  }

  /**
   * Sends the head: {@code headers} (no framing fields among them) and the framing for a body of
   * {@code contentLength} bytes, -1 when unknown.
   */
  void head(int status, Headers headers, long contentLength) throws IOException, InterruptedException {
    HttpResponse r = new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.valueOf(status),
        DefaultHttpHeadersFactory.headersFactory().withValidation(false));
    copy(headers, r.headers());
    frame(r.headers(), status, contentLength);
    started = true;
    noted(status, headers);
    write(r);
  }

  /**
   * Sends a whole response with a held body in one write; {@code declared} is the length a HEAD or
   * 304 declares; {@code stored} when the body is the stored bytes a hit serves, which a large one
   * is then written from a direct copy of.
   */
  void whole(int status, Headers headers, Bytes body, long declared, boolean stored)
      throws IOException, InterruptedException {
    ByteBuf content = head || body.isEmpty() ? Unpooled.EMPTY_BUFFER : wrap(body, stored ? bodies : null);
    DefaultFullHttpResponse r = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.valueOf(status),
        content, DefaultHttpHeadersFactory.headersFactory().withValidation(false),
        DefaultHttpHeadersFactory.trailersFactory().withValidation(false));
    copy(headers, r.headers());
    long length = declared >= 0 ? declared : body.size();
    frame(r.headers(), status, bodyless(status) && declared < 0 ? -2 : length);
    started = true;
    ended = true;
    noted(status, headers);
    bytesSent += content.readableBytes();
    last = write(r);
  }

  /** Sends one part of the body and flushes it. */
  void content(ByteBuf part) throws IOException, InterruptedException {
    if (head) {
      part.release();
      return;
    }
    bytesSent += part.readableBytes();
    write(new DefaultHttpContent(part));
  }

  /** Ends the body; the connection then serves its next request, or closes. */
  void end() throws IOException, InterruptedException {
    if (!ended) {
      ended = true;
      last = write(new DefaultLastHttpContent(Unpooled.EMPTY_BUFFER, NO_TRAILERS));
    }
  }

  /** Hands the connection back when the response ended, or closes it when it did not. */
  void finish() {
    connection.exchangeDone(ended && keepAlive, last);
  }

  private void frame(HttpHeaders h, int status, long contentLength) {
    h.remove("Content-Length");
    h.remove("Transfer-Encoding");
    if (contentLength >= 0) {
      if (status != 204 && status >= 200) {
        h.set("Content-Length", contentLength); // a HEAD's or a 304's is the length the 200 would have
      }
    } else if (contentLength == -1 && !bodyless(status)) {
      if (http10) {
        keepAlive = false; // an HTTP/1.0 client learns where the body ends from the connection's close
      } else {
        h.set("Transfer-Encoding", "chunked");
      }
    }
    keepAlive &= connection.acceptsMore();
    h.remove("Connection");
    if (!keepAlive) {
      h.set("Connection", "close");
    } else if (http10) {
      h.set("Connection", "keep-alive");
    }
  }

  private boolean bodyless(int status) {
    return head || status == 204 || status == 304 || status < 200;
  }

  private static void copy(Headers from, HttpHeaders to) {
    for (int i = 0; i < from.size(); i++) {
      String name = from.name(i);
      String lower = name.toLowerCase(Locale.ROOT);
      if (!lower.equals("content-length") && !lower.equals("transfer-encoding") && !lower.equals("connection")) {
        to.add(name, from.value(i));
      }
    }
  }

  private ChannelFuture write(Object message) throws IOException, InterruptedException {
    if (!channel.isActive()) {
      io.netty.util.ReferenceCountUtil.release(message);
      throw new ClosedChannelException();
    }
    if (!channel.eventLoop().inEventLoop()) {
      // an event loop never waits: it answers only when the channel took writes as it began
      WritableGate.of(channel).await(channel, writeTimeoutNanos);
    }
    return channel.writeAndFlush(message);
  }

  /**
   * The body's bytes as a buffer to write: over the same memory, or over the direct copy kept of a
   * large stored body. Stored bodies are never copied per request.
   */
  private static ByteBuf wrap(Bytes body, @Nullable DirectBodies bodies) {
    ByteBuf[] out = new ByteBuf[1];
    try {
      body.writeTo(new OutputStream() {
        @Override
        public void write(int b) {
          throw new UnsupportedOperationException();
        }

        @Override
        public void write(byte[] b, int off, int len) {
          ByteBuf part = bodies == null ? Unpooled.wrappedBuffer(b, off, len) : bodies.body(b, off, len);
          out[0] = out[0] == null ? part : Unpooled.wrappedBuffer(out[0], part);
        }
      });
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
    return out[0] == null ? Unpooled.EMPTY_BUFFER : out[0];
  }
}
