package dev.apicache.proxy;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.apicache.adapter.testkit.RawHttp;
import dev.apicache.proxy.TestUpstream.Reply;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOutboundHandlerAdapter;
import io.netty.channel.ChannelPromise;
import java.io.BufferedInputStream;
import java.io.InputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

/**
 * What a hit hands the socket: its head and body in one flush (no small writes for Nagle's
 * algorithm to hold back against the client's delayed acknowledgements), and the body as the
 * stored bytes themselves, never a copy made for the request.
 */
class ProxyWritesTest extends ProxyHarness {
  /** What each connection's channel was given to send, in order, as its pipeline's last stop sees it. */
  private final Map<Channel, List<Object>> sent = new ConcurrentHashMap<>();

  /**
   * One buffer handed to the socket and its length: its memory is the heap array behind it, the
   * address of the direct memory it is, or what it is when neither.
   */
  private record Write(Object memory, int length) {
    @Override
    public String toString() {
      return "write of " + length + " bytes";
    }
  }

  private static final String FLUSH = "flush";

  @Override
  ApiCacheProxy.Builder configure(ApiCacheProxy.Builder builder) {
    return builder.connectionProbe(channel -> {
      List<Object> events = java.util.Collections.synchronizedList(new ArrayList<>());
      sent.put(channel, events);
      channel.pipeline().addFirst(new ChannelOutboundHandlerAdapter() {
        @Override
        public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) throws Exception {
          if (msg instanceof ByteBuf b && b.isReadable()) {
            Object memory = b.hasArray() ? b.array()
                : b.hasMemoryAddress() ? (Object) (b.memoryAddress() + b.readerIndex()) : "neither: " + b;
            events.add(new Write(memory, b.readableBytes()));
          }
          super.write(ctx, msg, promise);
        }

        @Override
        public void flush(ChannelHandlerContext ctx) throws Exception {
          events.add(FLUSH);
          super.flush(ctx);
        }
      });
    });
  }

  /** The events of the connection that sent {@code n} bytes in all, once its response is flushed. */
  private List<Object> eventsOfAResponseOf(int bodyLength) {
    Awaitility.await("the response's writes").atMost(Duration.ofSeconds(60)).until(() ->
        sent.values().stream().anyMatch(e -> carries(e, bodyLength)));
    List<Object> found = sent.entrySet().stream().filter(e -> carries(e.getValue(), bodyLength)).findFirst()
        .orElseThrow().getValue();
    sent.values().remove(found);
    synchronized (found) {
      return List.copyOf(found);
    }
  }

  private static boolean carries(List<Object> events, int bodyLength) {
    synchronized (events) {
      return events.contains(FLUSH) && events.stream().anyMatch(e -> e instanceof Write w && w.length() == bodyLength);
    }
  }

  /** Two hits of a stored body of {@code length} random bytes, each on a connection of its own: what each handed the socket. */
  private List<List<Object>> twoHits(int length) throws Exception {
    String path = unique("/body-" + length);
    byte[] body = new byte[length];
    new Random(length).nextBytes(body);
    upstream.on(path, r -> new Reply(200, List.of(new String[] {"Date", now()},
        new String[] {"Cache-Control", "max-age=600"}, new String[] {"Content-Type", "application/octet-stream"}),
        body, false, null));
    assertEquals("MISS", xCache(get(path)));
    sent.clear();
    List<List<Object>> hits = new ArrayList<>();
    for (int i = 0; i < 2; i++) {
      try (Socket s = new Socket(proxy.address().getHost(), proxy.address().getPort())) {
        s.getOutputStream().write(("GET " + path + " HTTP/1.1\r\nHost: " + proxy.address().getHost() + ":"
            + proxy.address().getPort() + "\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1));
        InputStream in = new BufferedInputStream(s.getInputStream());
        RawHttp.Response hit = RawHttp.read(in, false);
        assertEquals("HIT", xCache(hit));
        assertArrayEquals(body, hit.body());
        hits.add(eventsOfAResponseOf(length));
      }
    }
    for (List<Object> events : hits) {
      assertEquals(FLUSH, events.get(events.size() - 1), "the response ends with its flush: " + events);
      assertEquals(1, events.stream().filter(FLUSH::equals).count(), "one flush for head and body: " + events);
      assertEquals(2, events.size() - 1, "a head and a body: " + events);
    }
    return hits;
  }

  @Test
  void aSmallHit_isOneFlushOfHeadAndBody_andTheBodyIsTheStoredBytesThemselves() throws Exception {
    List<List<Object>> hits = twoHits(4_000);
    Write first = (Write) hits.get(0).get(1);
    Write second = (Write) hits.get(1).get(1);
    assertTrue(first.memory() instanceof byte[], "a small body goes as the heap bytes it was stored in: " + first);
    assertTrue(first.memory() == second.memory(), "two hits send the same stored bytes, not a copy each");
  }

  /**
   * A large body on the heap would be copied by the transport into fresh direct memory on every
   * write: a hit sends it from one direct copy kept for it, which the socket writes from directly.
   */
  @Test
  void aLargeHit_isOneFlushOfHeadAndBody_andTheBodyIsWrittenFromOneDirectCopy() throws Exception {
    List<List<Object>> hits = twoHits(200_000);
    Write first = (Write) hits.get(0).get(1);
    Write second = (Write) hits.get(1).get(1);
    assertTrue(first.memory() instanceof Long, "written from direct memory: " + first.memory());
    assertEquals(first.memory(), second.memory(), "two hits send the same memory, not a copy each");
  }
}
