package dev.apicache.proxy;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.DefaultHttpHeadersFactory;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerExpectContinueHandler;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.timeout.IdleStateHandler;
import java.io.IOException;
import java.nio.channels.ClosedChannelException;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Turns a client connection and an upstream connection that both switched protocols (101, a
 * WebSocket handshake) into a tunnel that copies bytes both ways unchanged. Nothing of it is cached.
 */
final class Tunnel {
  private Tunnel() {}

  /**
   * Sends the upstream's 101 to the client and joins the two connections. The upstream side stops
   * reading while the switch happens, so no byte of the new protocol meets an HTTP codec.
   */
  static void splice(ClientConnection connection, UpstreamCall call, HttpResponse switching, String via)
      throws IOException, InterruptedException {
    Channel client = connection.channel();
    Channel upstream = call.channel();
    onLoop(client, () -> client.config().setAutoRead(false)); // the client's first frame waits for the switch
    List<ByteBuf> early = onLoop(upstream, () -> {
      upstream.config().setAutoRead(false);
      List<ByteBuf> bytes = call.takeEarly();
      ChannelPipeline p = upstream.pipeline();
      p.remove(call);
      p.addLast(new RawRelay(client));
      p.remove("codec");
      return bytes;
    });
    HttpResponse answer = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.SWITCHING_PROTOCOLS,
        Unpooled.EMPTY_BUFFER, DefaultHttpHeadersFactory.headersFactory().withValidation(false),
        DefaultHttpHeadersFactory.trailersFactory().withValidation(false));
    answer.headers().set(switching.headers());
    answer.headers().remove("Content-Length").remove("Transfer-Encoding").add("Via", via);
    if (!client.writeAndFlush(answer).await(30, TimeUnit.SECONDS) || !client.isActive()) {
      early.forEach(ByteBuf::release);
      upstream.close();
      throw new ClosedChannelException();
    }
    onLoop(client, () -> {
      ChannelPipeline p = client.pipeline();
      p.remove(IdleStateHandler.class);
      p.remove(HttpServerExpectContinueHandler.class);
      p.remove(ClientConnection.class);
      p.addLast(new RawRelay(upstream));
      p.remove("codec");
      for (ByteBuf b : early) {
        client.write(b);
      }
      client.flush();
      client.config().setAutoRead(true);
      return null;
    });
    upstream.config().setAutoRead(true);
    if (!upstream.isActive()) {
      client.close();
    }
  }

  private static <T> T onLoop(Channel channel, java.util.concurrent.Callable<T> task)
      throws IOException, InterruptedException {
    try {
      return channel.eventLoop().submit(task).get(30, TimeUnit.SECONDS);
    } catch (ExecutionException | TimeoutException e) {
      channel.close();
      throw new IOException("could not switch the connection to a tunnel", e);
    }
  }
}
