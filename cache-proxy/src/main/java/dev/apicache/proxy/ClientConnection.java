package dev.apicache.proxy;

import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.util.ReferenceCountUtil;
import java.net.ProtocolException;
import java.util.ArrayDeque;
import org.jspecify.annotations.Nullable;

/**
 * One client connection, on its event loop: hands each request to an exchange on a thread of its
 * own, feeds the exchange the request's body with back-pressure, and serves the connection's
 * requests one at a time, in order (a pipelined request waits, unread, for the one before it).
 */
final class ClientConnection extends ChannelInboundHandlerAdapter {
  private final ProxyServer server;
  private final Channel channel;
  /** The body of the request in progress while it is still arriving. */
  private @Nullable Inbox body;
  private boolean bodyEnded;
  private boolean busy;
  private final ArrayDeque<Object> waiting = new ArrayDeque<>();

  /** A request body the client framed wrongly (a bad chunk size, a body cut short by a bad chunk). */
  static final class MalformedBody extends ProtocolException {
    MalformedBody(String message) {
      super(message);
    }
  }

  ClientConnection(ProxyServer server, Channel channel) {
    this.server = server;
    this.channel = channel;
  }

  Channel channel() {
    return channel;
  }

  @Override
  public void channelActive(ChannelHandlerContext ctx) throws Exception {
    server.opened(channel);
    super.channelActive(ctx);
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    if (busy && body == null) {
      waiting.add(msg); // the next request: read once this one is answered
      ctx.channel().config().setAutoRead(false);
      return;
    }
    read(msg);
  }

  private void read(Object msg) {
    if (msg instanceof HttpRequest request) {
      busy = true;
      bodyEnded = false;
      boolean failed = request.decoderResult().isFailure();
      boolean hasBody = !failed && (HttpUtil.isTransferEncodingChunked(request)
          || HttpUtil.getContentLength(request, 0L) > 0);
      body = hasBody ? new Inbox(channel) : null;
      if (!hasBody && !(msg instanceof HttpContent)) {
        body = new Inbox(channel); // the empty last part still comes; it marks the request read
      }
      Inbox forExchange = hasBody ? body : null;
      server.dispatch(this, request, forExchange);
      if (failed) {
        body = null;
        bodyEnded = false; // the decoder skips the rest; the connection closes after the answer
      }
    }
    if (msg instanceof HttpContent part) {
      if (body != null) {
        if (part.decoderResult().isFailure()) {
          body.add(new Inbox.Broken(new MalformedBody("malformed request body: "
              + part.decoderResult().cause().getMessage())));
          body = null;
        } else {
          if (part.content().isReadable()) {
            body.add(part.content().retain());
          }
          if (part instanceof LastHttpContent last) {
            body.add(new Inbox.End(last.trailingHeaders()));
            body = null;
            bodyEnded = true;
          }
        }
      }
    }
    ReferenceCountUtil.release(msg);
  }

  @Override
  public void channelReadComplete(ChannelHandlerContext ctx) {
    if (body != null) {
      body.publish();
    }
  }

  /** Whether the connection may serve another request after this one. */
  boolean acceptsMore() {
    return !server.draining();
  }

  /**
   * Called by the exchange when its response is written: the connection goes on to the next
   * request when {@code keepAlive} and the request was read to its end, and closes otherwise.
   */
  void exchangeDone(boolean keepAlive, @Nullable ChannelFuture lastWrite) {
    channel.eventLoop().execute(() -> {
      server.exchangeEnded();
      boolean reusable = keepAlive && bodyEnded && channel.isActive();
      if (!reusable) {
        if (lastWrite == null) {
          channel.close();
        } else {
          lastWrite.addListener(ChannelFutureListener.CLOSE);
        }
        waiting.forEach(ReferenceCountUtil::safeRelease);
        waiting.clear();
        return;
      }
      busy = false;
      // the next request, and the parts of its body that arrived with it
      while (!waiting.isEmpty() && (!busy || body != null)) {
        read(waiting.poll());
      }
      if ((!busy || body != null) && !channel.config().isAutoRead()) {
        channel.config().setAutoRead(true); // the next request, or its body
      }
      if (busy && body != null) {
        body.publish();
      }
    });
  }

  /** The request in progress turned the connection into a tunnel, which no longer counts as a request. */
  void tunnelled() {
    server.exchangeEnded();
  }

  /** Whether no request is in progress, for a drain to close the connection at once. */
  boolean idle() {
    return !busy;
  }

  @Override
  public void userEventTriggered(ChannelHandlerContext ctx, Object evt) throws Exception {
    if (evt instanceof IdleStateEvent && !busy) {
      ctx.close(); // an idle keep-alive connection; one with a request in progress has its own timeouts
      return;
    }
    super.userEventTriggered(ctx, evt);
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) throws Exception {
    if (body != null) {
      body.add(new Inbox.Broken(new java.io.EOFException("the client closed the connection mid-request")));
      body = null;
    }
    waiting.forEach(ReferenceCountUtil::safeRelease);
    waiting.clear();
    super.channelInactive(ctx);
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    ctx.close(); // a reset connection, mostly; nothing a response could tell the client
  }
}
