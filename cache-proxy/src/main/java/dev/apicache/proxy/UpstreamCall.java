package dev.apicache.proxy;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;
import java.io.IOException;
import java.net.ProtocolException;
import java.util.ArrayList;
import java.util.List;

/**
 * One request's exchange on one upstream connection: the handler in the connection's pipeline
 * while the call lasts, turning what the upstream sends into {@link Inbox} parts, and refusing
 * what is malformed: a response the codec could not frame, a status outside 100-599.
 *
 * <p>The connection goes back to the pool when the response ended cleanly and both sides keep it
 * alive, and is closed otherwise.
 */
final class UpstreamCall extends ChannelInboundHandlerAdapter {
  private final Upstream pool;
  private final Channel channel;
  final Inbox inbox;
  private final boolean reused;
  /** Something that reads as a response arrived: from then on the request is the upstream's, never sent again. */
  private volatile boolean headArrived;
  private boolean skipInterimEnd;
  private boolean keepAlive = true;
  private volatile boolean done;
  /** Switched protocols (101): what follows the head is the new protocol's, for a tunnel. */
  private boolean upgraded;
  private final List<ByteBuf> early = new ArrayList<>();

  UpstreamCall(Upstream pool, Channel channel, boolean reused) {
    this.pool = pool;
    this.channel = channel;
    this.reused = reused;
    this.inbox = new Inbox(channel);
  }

  Channel channel() {
    return channel;
  }

  /**
   * Whether the connection came from the pool and gave nothing that reads as a response: it was
   * closed while idle, or left out of step by an earlier response that sent more than it declared.
   */
  boolean mayRetry() {
    return reused && !headArrived;
  }

  /** Marks the connection as not to be reused (the request could not be sent whole). */
  void noKeepAlive() {
    keepAlive = false;
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    try {
      if (upgraded && msg instanceof ByteBuf raw) {
        early.add(raw.retain()); // the tunnel sends these on first
        return;
      }
      if (done || !(msg instanceof HttpObject o)) {
        return;
      }
      if (!(o.decoderResult().cause() instanceof UpstreamCodec.NotAStatusLine)) {
        headArrived = true; // a response, however malformed: the request reached the upstream
      }
      if (o.decoderResult().isFailure()) {
        broken("the upstream sent a malformed response: " + o.decoderResult().cause().getMessage());
        return;
      }
      if (msg instanceof HttpResponse head) {
        int status = head.status().code();
        if (status < 100 || status > 599) {
          broken("the upstream sent status " + status + ", which is not an HTTP status code");
          return;
        }
        if (status == 101) {
          upgraded = true;
        } else if (status < 200) {
          skipInterimEnd = true; // the codec ends an interim response with an empty last part
        } else {
          keepAlive &= HttpUtil.isKeepAlive(head);
        }
        inbox.add(head);
      }
      if (msg instanceof HttpContent part) {
        if (skipInterimEnd && part instanceof LastHttpContent) {
          skipInterimEnd = false;
          return;
        }
        ByteBuf content = part.content();
        if (content.isReadable()) {
          inbox.add(content.retain());
        }
        if (part instanceof LastHttpContent last) {
          done = true;
          inbox.add(new Inbox.End(last.trailingHeaders()));
          if (!upgraded) {
            pool.finished(this, keepAlive);
          }
        }
      }
    } finally {
      ReferenceCountUtil.release(msg);
    }
  }

  @Override
  public void channelReadComplete(ChannelHandlerContext ctx) {
    inbox.publish();
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
    if (!done) {
      broken("the upstream closed the connection before its response ended");
    }
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    if (!done) {
      broken("the upstream connection failed: " + cause.getMessage());
    }
    ctx.close();
  }

  /** The bytes of the new protocol that came with the 101; event loop only. */
  List<ByteBuf> takeEarly() {
    List<ByteBuf> out = new ArrayList<>(early);
    early.clear();
    return out;
  }

  /** The reader gave up on the response (its client went away, or it will not read the rest). */
  void abandon() {
    inbox.abandon();
    if (!done) {
      done = true;
      channel.close();
    }
  }

  private void broken(String why) {
    done = true;
    inbox.add(new Inbox.Broken(new ProtocolException(why)));
    channel.close();
  }

  /** Fails the call from outside the event loop: {@code cause} is what the reader will see. */
  void fail(IOException cause) {
    channel.eventLoop().execute(() -> {
      if (!done) {
        done = true;
        inbox.add(new Inbox.Broken(cause));
        channel.close();
      }
    });
  }
}
