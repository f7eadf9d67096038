package dev.apicache.adapter;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.integers;
import static org.quicktheories.generators.SourceDSL.lists;

import dev.apicache.CacheRequest;
import dev.apicache.CacheResponse;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The loopback origin against a server on a real socket that records the bytes it receives and
 * answers with whatever framing a test asks for.
 */
class LoopbackOriginTest {
  private final RawServer server = new RawServer();

  @AfterEach
  void stop() throws IOException {
    server.close();
  }

  private LoopbackOrigin origin(LoopbackOrigin.HeaderDecoding decoding, long maxHeld) {
    return LoopbackOrigin.builder(URI.create("http://127.0.0.1:" + server.port())).headerDecoding(decoding)
        .maxHeldBytes(maxHeld).build();
  }

  private static String latin1(byte[] bytes) {
    return new String(bytes, StandardCharsets.ISO_8859_1);
  }

  @Test
  void everyHeaderByte_goesOutAsTheServerDecodedIt() throws Exception {
    server.respond = head -> "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok";
    // Jetty hands the handler one character per byte: send the same bytes back
    String utf8AsLatin1 = latin1("Ö café".getBytes(StandardCharsets.UTF_8));
    CacheRequest request = CacheRequest.builder("GET", "/api/config?x=1")
        .header("Host", "Tenant.Example:8080").header("X-Tenant-Id", utf8AsLatin1).header("X-Raw", "\u00ff\u0080")
        .header("Connection", "keep-alive, X-Hop").header("X-Hop", "dropped").build();
    CacheResponse r = origin(LoopbackOrigin.HeaderDecoding.LATIN_1, 1024).fetch(request);
    assertEquals(200, r.status());
    String received = latin1(server.heads.poll(10, TimeUnit.SECONDS));
    assertTrue(received.startsWith("GET /api/config?x=1 HTTP/1.1\r\nHost: Tenant.Example:8080\r\n"), received);
    assertTrue(received.contains("\r\nX-Tenant-Id: " + utf8AsLatin1 + "\r\n"), received);
    assertTrue(received.contains("\r\nX-Raw: \u00ff\u0080\r\n"), received);
    assertFalse(received.contains("X-Hop"), "a field named by Connection is the connection's own");
    assertTrue(received.contains("\r\nX-Apicache-Origin: "), received);
  }

  @Test
  void replacementCharacters_goOutAsOneHighByteEach_forHelidon() throws Exception {
    server.respond = head -> "HTTP/1.1 204 No Content\r\n\r\n";
    CacheRequest request = CacheRequest.builder("GET", "/c").header("User-Agent", "caf\ufffd\ufffd").build();
    origin(LoopbackOrigin.HeaderDecoding.ASCII_REPLACING, 1024).fetch(request);
    byte[] head = server.heads.poll(10, TimeUnit.SECONDS);
    String text = latin1(head);
    int at = text.indexOf("User-Agent: ") + "User-Agent: ".length();
    assertArrayEquals(new byte[] {'c', 'a', 'f', (byte) 0x80, (byte) 0x80, '\r'},
        java.util.Arrays.copyOfRange(head, at, at + 6));
  }

  @Test
  void aCharacterNoDecodingProduces_failsTheCallRatherThanSendOtherBytes() {
    CacheRequest euro = CacheRequest.builder("GET", "/c").header("X-Price", "5\u20ac").build();
    IOException e = assertThrows(IOException.class, () -> origin(LoopbackOrigin.HeaderDecoding.LATIN_1, 1024).fetch(euro));
    assertTrue(e.getMessage().contains("U+20AC"), e.getMessage());
  }

  @Test
  void chunkedCloseDelimitedAndInformationalResponses_areRead() throws Exception {
    LoopbackOrigin origin = origin(LoopbackOrigin.HeaderDecoding.LATIN_1, 1 << 20);
    server.respond = head -> "HTTP/1.1 103 Early Hints\r\nLink: </a>\r\n\r\n"
        + "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nX-A: 1\r\n\r\n5;ext=1\r\nhello\r\n6\r\n world\r\n0\r\nX-T: t\r\n\r\n";
    CacheResponse chunked = origin.fetch(CacheRequest.get("/a"));
    assertEquals("hello world", chunked.body().utf8());
    assertEquals("1", chunked.headers().first("X-A").orElseThrow());
    assertFalse(chunked.headers().contains("Transfer-Encoding"));
    server.respond = head -> "HTTP/1.1 200 OK\r\nConnection: close\r\n\r\nto the end";
    assertEquals("to the end", origin.fetch(CacheRequest.get("/b")).body().utf8());
  }

  @Test
  void everyCall_hasAConnectionOfItsOwn() throws Exception {
    // servers keep per-connection state (Jetty reuses a header field seen earlier on the connection,
    // matched ignoring case), so one client's spelling must never ride on another's connection
    LoopbackOrigin origin = origin(LoopbackOrigin.HeaderDecoding.LATIN_1, 1024);
    server.respond = head -> "HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\nx";
    for (int i = 0; i < 5; i++) {
      assertEquals("x", origin.fetch(CacheRequest.get("/k")).body().utf8());
      assertTrue(latin1(server.heads.poll(10, TimeUnit.SECONDS)).contains("\r\nConnection: close\r\n"));
    }
    assertEquals(5, server.connections.get());
  }

  @Test
  void aBodyOverTheHeldLimit_comesBackAsAStreamWithEveryByte() throws Exception {
    byte[] big = new byte[300_000];
    for (int i = 0; i < big.length; i++) {
      big[i] = (byte) i;
    }
    server.respondBytes = head -> concat(("HTTP/1.1 200 OK\r\nContent-Length: " + big.length + "\r\n\r\n")
        .getBytes(StandardCharsets.US_ASCII), big);
    CacheResponse r = origin(LoopbackOrigin.HeaderDecoding.LATIN_1, 64 * 1024).fetch(CacheRequest.get("/big"));
    assertTrue(r.content() instanceof CacheResponse.Content.Streaming);
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    r.writeBodyTo(out);
    assertArrayEquals(big, out.toByteArray());
  }

  @Test
  void anyRequestFields_areSentAndReadBackByteForByte() {
    // arbitrary Latin-1 header values (obs-text included) arrive exactly as given
    server.respond = head -> "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n";
    LoopbackOrigin origin = origin(LoopbackOrigin.HeaderDecoding.LATIN_1, 1024);
    qt().withExamples(200).forAll(lists().of(integers().between(0x20, 0xff)).ofSizeBetween(1, 40)).checkAssert(codes -> {
      StringBuilder value = new StringBuilder("v");
      codes.forEach(c -> value.append(c == 0x7f ? 'x' : (char) c.intValue()));
      try {
        origin.fetch(CacheRequest.builder("GET", "/p").header("X-Value", value.toString()).build());
        String head = latin1(server.heads.poll(10, TimeUnit.SECONDS));
        assertTrue(head.contains("\r\nX-Value: " + value + "\r\n"), head);
      } catch (Exception e) {
        throw new AssertionError(e);
      }
    });
  }

  private static byte[] concat(byte[] a, byte[] b) {
    byte[] out = new byte[a.length + b.length];
    System.arraycopy(a, 0, out, 0, a.length);
    System.arraycopy(b, 0, out, a.length, b.length);
    return out;
  }

  /** A minimal HTTP/1.1 server: reads each request head, records it, writes the scripted answer. */
  private static final class RawServer implements AutoCloseable {
    final ServerSocket socket;
    final BlockingQueue<byte[]> heads = new LinkedBlockingQueue<>();
    final AtomicInteger connections = new AtomicInteger();
    final List<Socket> open = new java.util.concurrent.CopyOnWriteArrayList<>();
    volatile Function<byte[], String> respond = head -> "HTTP/1.1 500 Unscripted\r\nContent-Length: 0\r\n\r\n";
    volatile Function<byte[], byte[]> respondBytes;

    RawServer() {
      try {
        socket = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
      } catch (IOException e) {
        throw new java.io.UncheckedIOException(e);
      }
      Thread accept = new Thread(this::accept, "raw-server");
      accept.setDaemon(true);
      accept.start();
    }

    int port() {
      return socket.getLocalPort();
    }

    void dropIdleConnections() throws IOException {
      for (Socket s : open) {
        s.close();
      }
    }

    private void accept() {
      while (!socket.isClosed()) {
        try {
          Socket s = socket.accept();
          connections.incrementAndGet();
          open.add(s);
          Thread t = new Thread(() -> serve(s), "raw-server-conn");
          t.setDaemon(true);
          t.start();
        } catch (IOException closed) {
          return;
        }
      }
    }

    private void serve(Socket s) {
      try (s) {
        InputStream in = s.getInputStream();
        OutputStream out = s.getOutputStream();
        while (true) {
          ByteArrayOutputStream head = new ByteArrayOutputStream();
          int last4 = 0;
          int b;
          while (last4 != 0x0d0a0d0a && (b = in.read()) >= 0) {
            head.write(b);
            last4 = (last4 << 8) | b;
          }
          if (last4 != 0x0d0a0d0a) {
            return;
          }
          byte[] bytes = head.toByteArray();
          heads.add(bytes);
          Function<byte[], byte[]> raw = respondBytes;
          out.write(raw != null ? raw.apply(bytes) : respond.apply(bytes).getBytes(StandardCharsets.ISO_8859_1));
          out.flush();
          if (latin1(bytes).contains("Connection: close") || respond.apply(bytes).contains("Connection: close")) {
            return;
          }
        }
      } catch (IOException dropped) {
        // the client went away
      } finally {
        open.remove(s);
      }
    }

    @Override
    public void close() throws IOException {
      socket.close();
      dropIdleConnections();
    }
  }
}
