package dev.apicache.proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.apicache.CacheEngine;
import dev.apicache.adapter.testkit.RawHttp;
import dev.apicache.proxy.TestUpstream.Reply;
import dev.apicache.store.caffeine.CaffeineStore;
import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.BindException;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.Base64;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The proxy as a server: it streams, speaks HTTP/1.0, tunnels WebSockets, refuses malformed
 * messages both ways without a stack trace, fails to start on a taken port, and drains on stop.
 */
class ProxyServerTest extends ProxyHarness {
  private static final long WAIT = 60;
  /** Threads of the tests' own: the common pool may have one thread on a small machine. */
  private static final java.util.concurrent.ExecutorService THREADS =
      java.util.concurrent.Executors.newVirtualThreadPerTaskExecutor();

  /** Each response as the request listener heard it: target, outcome, and the thread that wrote it. */
  private final java.util.Queue<String> written = new java.util.concurrent.ConcurrentLinkedQueue<>();

  @Override
  ApiCacheProxy.Builder configure(ApiCacheProxy.Builder builder) {
    return builder.requestListener(r -> written.add(r.target() + " " + r.cache() + " "
        + (Thread.currentThread().isVirtual() ? "virtual" : Thread.currentThread().getName())));
  }

  private java.util.List<String> writtenFor(String path) {
    return written.stream().filter(w -> w.startsWith(path + " ")).toList();
  }

  /** An upstream that sends one event, then waits for the test to have read it before the next. */
  private void eventStream(String path, CountDownLatch firstRead, String cacheControl) {
    upstream.on(path, r -> Reply.raw((in, out) -> {
      out.write(RawHttp.latin1("HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\n" + cacheControl
          + "Transfer-Encoding: chunked\r\n\r\n"));
      out.write(chunk("data: one\n\n"));
      out.flush();
      if (!firstRead.await(WAIT, TimeUnit.SECONDS)) {
        return;
      }
      out.write(chunk("data: two\n\n"));
      out.write(RawHttp.latin1("0\r\n\r\n"));
    }));
  }

  @Test
  void anEventStream_reachesTheClientAsItIsSent_whetherTheCacheIsAskedOrNot() throws Exception {
    for (String method : new String[] {"GET", "POST"}) {
      for (String cacheControl : new String[] {"", "Cache-Control: no-cache\r\n", "Cache-Control: max-age=60\r\n"}) {
        String path = unique("/events");
        CountDownLatch firstRead = new CountDownLatch(1);
        eventStream(path, firstRead, cacheControl);
        try (Socket s = connect(proxy.address())) {
          s.getOutputStream().write(RawHttp.latin1(method + " " + path + " HTTP/1.1\r\nHost: h\r\n"
              + (method.equals("POST") ? "Content-Length: 0\r\n" : "") + "\r\n"));
          InputStream in = new BufferedInputStream(s.getInputStream());
          String head = readHead(in);
          assertTrue(head.startsWith("HTTP/1.1 200"), head);
          assertTrue(readUntil(in, "data: one\n\n").endsWith("data: one\n\n"),
              "the first event arrives while the upstream still holds the second: " + method + " " + cacheControl);
          firstRead.countDown();
          assertTrue(readUntil(in, "data: two\n\n").endsWith("data: two\n\n"));
        } finally {
          firstRead.countDown();
        }
      }
    }
  }

  @Test
  void aCacheableAnswerThatPauses_isStreamedToItsClient_andStoredAsItPasses() throws Exception {
    String path = unique("/report");
    CountDownLatch firstRead = new CountDownLatch(1);
    eventStream(path, firstRead, "Cache-Control: max-age=60\r\n");
    try (Socket s = connect(proxy.address())) {
      // the Host the harness's own requests send: the cache keys on it
      s.getOutputStream().write(RawHttp.latin1("GET " + path + " HTTP/1.1\r\nHost: " + proxy.address().getHost()
          + ":" + proxy.address().getPort() + "\r\n\r\n"));
      InputStream in = new BufferedInputStream(s.getInputStream());
      String head = readHead(in);
      assertTrue(head.contains("X-Cache: MISS"), head);
      readUntil(in, "data: one\n\n");
      firstRead.countDown();
      readUntil(in, "data: two\n\n");
      readUntil(in, "0\r\n\r\n");
    } finally {
      firstRead.countDown();
    }
    org.awaitility.Awaitility.await("the copy is stored when the stream ends").atMost(Duration.ofSeconds(60))
        .until(() -> xCache(get(path)).equals("HIT"));
    RawHttp.Response hit = get(path);
    assertEquals("data: one\n\ndata: two\n\n", hit.text());
    assertEquals(1, upstream.count(path), "one upstream call: the streamed miss filled the cache");
  }

  /** Node's fetch() adds no-cache to conditional requests, a browser reload sends max-age=0: neither forces a call. */
  @Test
  void clientDirectives_cannotForceAnOriginCall_byDefault() throws Exception {
    String path = unique("/directives");
    upstream.on(path, r -> Reply.of(200, "v", "Date", now(), "Cache-Control", "max-age=600"));
    get(path);
    String[][] forcing = {{"Cache-Control", "no-cache"}, {"Cache-Control", "max-age=0"}, {"Pragma", "no-cache"},
        {"Cache-Control", "no-store"}};
    for (String[] h : forcing) {
      assertEquals("HIT", xCache(get(path, h[0], h[1])), h[0] + ": " + h[1]);
    }
    assertEquals(1, upstream.count(path));
  }

  @Test
  void interimResponses_reachAnHttp11Client_beforeTheFinalOne() throws Exception {
    String path = unique("/hints");
    upstream.on(path, r -> Reply.raw((in, out) -> out.write(RawHttp.latin1(
        "HTTP/1.1 103 Early Hints\r\nLink: </style.css>; rel=preload\r\n\r\n"
            + "HTTP/1.1 201 Created\r\nContent-Length: 4\r\n\r\ndone"))));
    try (Socket s = connect(proxy.address())) {
      s.getOutputStream().write(RawHttp.latin1("POST " + path + " HTTP/1.1\r\nHost: h\r\nContent-Length: 1\r\n\r\nx"));
      InputStream in = new BufferedInputStream(s.getInputStream());
      String interim = readHead(in);
      assertTrue(interim.startsWith("HTTP/1.1 103") && interim.contains("Link: </style.css>; rel=preload"), interim);
      RawHttp.Response last = RawHttp.read(in, false);
      assertEquals(201, last.status());
      assertEquals("done", last.text());
    }
  }

  @Test
  void http10Clients_areServed_andKeptAliveWhenTheyAsk() throws Exception {
    String path = unique("/ten");
    upstream.on(path, r -> Reply.of(200, "hello", "Cache-Control", "max-age=60"));
    try (Socket s = connect(proxy.address())) {
      s.getOutputStream().write(RawHttp.latin1("GET " + path + " HTTP/1.0\r\n\r\n"));
      RawHttp.Response r = RawHttp.read(s.getInputStream(), false);
      assertEquals(200, r.status());
      assertEquals("hello", r.text());
      assertEquals(-1, s.getInputStream().read(), "an HTTP/1.0 request without keep-alive ends its connection");
    }
    try (Socket s = connect(proxy.address())) {
      InputStream in = new BufferedInputStream(s.getInputStream());
      for (int i = 0; i < 3; i++) {
        s.getOutputStream().write(RawHttp.latin1("GET " + path + " HTTP/1.0\r\nConnection: keep-alive\r\n\r\n"));
        RawHttp.Response r = RawHttp.read(in, false);
        assertEquals(200, r.status());
        assertEquals("hello", r.text());
        assertEquals("keep-alive", r.header("Connection").orElse("").toLowerCase());
      }
    }
    String post = unique("/ten-post");
    upstream.on(post, r -> Reply.of(201, "got " + new String(r.body(), StandardCharsets.UTF_8)));
    try (Socket s = connect(proxy.address())) {
      s.getOutputStream().write(RawHttp.latin1("POST " + post + " HTTP/1.0\r\nContent-Length: 3\r\n\r\nabc"));
      RawHttp.Response r = RawHttp.read(s.getInputStream(), false);
      assertEquals(201, r.status());
      assertEquals("got abc", r.text());
    }
  }

  @Test
  void pipelinedRequests_areAnsweredInOrder_bodiesIncluded() throws Exception {
    String path = unique("/pipelined");
    upstream.on(path, r -> Reply.of(200, r.method() + " " + r.target() + " " + new String(r.body(),
        StandardCharsets.UTF_8), "Cache-Control", "max-age=60"));
    try (Socket s = connect(proxy.address())) {
      String host = "Host: " + proxy.address().getAuthority() + "\r\n";
      s.getOutputStream().write(RawHttp.latin1("GET " + path + "?a HTTP/1.1\r\n" + host + "\r\n"
          + "POST " + path + "?b HTTP/1.1\r\n" + host + "Content-Length: 4\r\n\r\nbody"
          + "GET " + path + "?a HTTP/1.1\r\n" + host + "\r\n"
          + "PUT " + path + "?c HTTP/1.1\r\n" + host + "Transfer-Encoding: chunked\r\n\r\n2\r\nhi\r\n0\r\n\r\n"));
      InputStream in = new BufferedInputStream(s.getInputStream());
      assertEquals("GET " + path + "?a ", RawHttp.read(in, false).text());
      assertEquals("POST " + path + "?b body", RawHttp.read(in, false).text());
      RawHttp.Response hit = RawHttp.read(in, false);
      assertEquals("GET " + path + "?a ", hit.text());
      assertEquals("PUT " + path + "?c hi", RawHttp.read(in, false).text());
    }
  }

  /**
   * A hit from memory costs no hand-off between threads: the event loop that read the request
   * writes its answer. A miss, which waits for the upstream, runs on a thread of its own.
   */
  @Test
  void aHitFromMemory_isAnsweredOnTheEventLoop_andAMissOnAThreadOfItsOwn() throws Exception {
    String path = unique("/on-loop");
    upstream.on(path, r -> Reply.of(200, "v", "Date", now(), "Cache-Control", "max-age=600"));
    assertEquals("MISS", xCache(get(path)));
    RawHttp.Response hit = get(path);
    assertEquals("HIT", xCache(hit));
    assertEquals("v", hit.text());
    assertEquals("HIT", xCache(get(path, "If-None-Match", "*")));
    org.awaitility.Awaitility.await("three responses written").atMost(Duration.ofSeconds(WAIT))
        .until(() -> writtenFor(path).size() == 3);
    // a listener hears of a response once it is written, so the three may be heard in any order
    java.util.List<String> seen = writtenFor(path);
    assertEquals(1, seen.stream().filter(w -> w.equals(path + " MISS virtual")).count(), seen.toString());
    assertEquals(2, seen.stream().filter(w -> w.startsWith(path + " HIT apicache-proxy-io-")).count(),
        "the hit and the 304 on an event loop: " + seen);
    assertEquals(1, upstream.count(path));
  }

  @Test
  void anEndlessStreamToAnHttp10Client_endsWithTheConnection() throws Exception {
    String path = unique("/ten-stream");
    CountDownLatch firstRead = new CountDownLatch(1);
    eventStream(path, firstRead, "Cache-Control: no-store\r\n");
    try (Socket s = connect(proxy.address())) {
      s.getOutputStream().write(RawHttp.latin1("GET " + path + " HTTP/1.0\r\nConnection: keep-alive\r\n\r\n"));
      InputStream in = new BufferedInputStream(s.getInputStream());
      String head = readHead(in);
      assertFalse(head.toLowerCase().contains("transfer-encoding"), "an HTTP/1.0 client cannot take chunks: " + head);
      assertTrue(head.toLowerCase().contains("connection: close"), head);
      readUntil(in, "data: one\n\n");
      firstRead.countDown();
      readUntil(in, "data: two\n\n");
      assertEquals(-1, in.read(), "the body ends with the connection");
    } finally {
      firstRead.countDown();
    }
  }

  @Test
  void aWebSocket_isTunnelledToTheUpstream_andNeverCached() throws Exception {
    String path = unique("/ws");
    upstream.on(path, r -> Reply.raw((in, out) -> {
      String accept = Base64.getEncoder().encodeToString(MessageDigest.getInstance("SHA-1").digest(
          (r.header("Sec-WebSocket-Key").orElseThrow() + "258EAFA5-E914-47DA-95CA-C5AB0DC85B11")
              .getBytes(StandardCharsets.ISO_8859_1)));
      out.write(RawHttp.latin1("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
          + "Sec-WebSocket-Accept: " + accept + "\r\n\r\n"));
      out.flush();
      echoFrames(in, out);
    }));
    HttpClient http = HttpClient.newHttpClient();
    try {
      for (int i = 0; i < 2; i++) {
        CompletableFuture<String> echoed = new CompletableFuture<>();
        WebSocket ws = http.newWebSocketBuilder().buildAsync(URI.create("ws://" + proxy.address().getAuthority() + path),
            new WebSocket.Listener() {
              private final StringBuilder text = new StringBuilder();

              @Override
              public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
                text.append(data);
                if (last) {
                  echoed.complete(text.toString());
                }
                webSocket.request(1);
                return null;
              }
            }).get(WAIT, TimeUnit.SECONDS);
        ws.sendText("ping " + i, true).get(WAIT, TimeUnit.SECONDS);
        assertEquals("ping " + i, echoed.get(WAIT, TimeUnit.SECONDS));
        ws.sendClose(WebSocket.NORMAL_CLOSURE, "done").get(WAIT, TimeUnit.SECONDS);
      }
    } finally {
      http.close();
    }
    assertEquals(2, upstream.count(path), "each handshake reached the upstream");
    assertEquals("websocket", upstream.seen(path).get(0).header("Upgrade").orElseThrow());
  }

  @Test
  void anH2cOffer_isDeclined_andTheRequestServedAndCachedAsUsual() throws Exception {
    String path = unique("/h2c");
    upstream.on(path, r -> Reply.of(200, "v", "Cache-Control", "max-age=60"));
    String[] offer = {"Connection", "Upgrade, HTTP2-Settings", "Upgrade", "h2c", "HTTP2-Settings", "AAMAAABkAAQAAP__"};
    RawHttp.Response first = get(path, offer);
    assertEquals(200, first.status());
    assertEquals("MISS", xCache(first));
    assertEquals("HIT", xCache(get(path, offer)));
    assertTrue(upstream.seen(path).get(0).header("Upgrade").isEmpty(), "the offer is this hop's, never forwarded");
  }

  @Test
  void malformedUpstreamResponses_are502_andNeverStored() throws Exception {
    String[] malformed = {
        "HTTP/1.1 200 OK\r\nCache-Control: max-age=60\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n"
            + "5\r\nhello\r\n0\r\n\r\n",
        "HTTP/1.1 200 OK\r\nCache-Control: max-age=60\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\nhello!",
        "HTTP/1.1 200 OK\r\nCache-Control: max-age=60\r\nContent-Length: 5\r\nContent-Length: 5\r\n\r\nhello",
        "HTTP/1.1 2000 OK\r\nCache-Control: max-age=60\r\nContent-Length: 5\r\n\r\nhello",
        "HTTP/1.1 200 OK\r\nCache-Control: max-age=60\r\nBad Name: x\r\nContent-Length: 5\r\n\r\nhello",
    };
    for (String response : malformed) {
      for (String method : new String[] {"GET", "DELETE"}) {
        String path = unique("/malformed");
        upstream.on(path, r -> Reply.raw((in, out) -> out.write(RawHttp.latin1(response))));
        for (int i = 1; i <= 2; i++) {
          RawHttp.Response r = send(method, path, null);
          assertEquals(502, r.status(), method + " " + response);
          assertFalse(r.text().contains("Exception") || r.text().contains("\tat "), r.text());
          assertEquals(i, upstream.count(path), "asked again: nothing was stored");
        }
      }
    }
  }

  /**
   * An upstream response that sends more than its Content-Length leaves its connection out of step;
   * the next GET sent on it is sent again on a new connection instead of failing.
   */
  @Test
  void aConnectionLeftOutOfStepByAnOverlongResponse_isNotTheNextRequestsFault() throws Exception {
    String overlong = unique("/overlong");
    String next = unique("/next");
    upstream.on(overlong, r -> Reply.raw((in, out) -> {
      out.write(RawHttp.latin1("HTTP/1.1 200 OK\r\nCache-Control: no-store\r\nContent-Length: 5\r\n\r\n"
          + "hello-and-more-than-declared"));
      out.flush();
      for (String line = ""; ; ) { // the next request on this connection gets a well-formed answer
        int c = in.read();
        if (c < 0) {
          return;
        }
        line = c == '\n' ? "" : line + (char) c;
        if (c == '\n' && line.isEmpty() && in.available() == 0) {
          break;
        }
      }
      out.write(RawHttp.latin1("HTTP/1.1 200 OK\r\nContent-Length: 4\r\n\r\nlate"));
    }));
    upstream.on(next, r -> Reply.of(200, "fine", "Cache-Control", "no-store"));
    try (Socket s = connect(proxy.address())) {
      InputStream in = new BufferedInputStream(s.getInputStream());
      String host = "Host: " + proxy.address().getAuthority() + "\r\n";
      s.getOutputStream().write(RawHttp.latin1("GET " + overlong + " HTTP/1.1\r\n" + host + "\r\n"));
      assertEquals("hello", RawHttp.read(in, false).text());
      s.getOutputStream().write(RawHttp.latin1("GET " + next + " HTTP/1.1\r\n" + host + "\r\n"));
      RawHttp.Response r = RawHttp.read(in, false);
      assertEquals(200, r.status(), r.text());
      assertEquals("fine", r.text());
    }
  }

  @Test
  void malformedClientRequests_are400_withOneLineAndNoStackTrace() throws Exception {
    String path = unique("/strict");
    upstream.on(path, r -> Reply.of(200, "ok"));
    String[] malformed = {
        "GET " + path + " HTTP/1.1\r\nHost: h\r\n: B\r\n\r\n",
        "GET " + path + " HTTP/1.1\r\nHost: h\r\nBad Name: x\r\n\r\n",
        "POST " + path + " HTTP/1.1\r\nHost: h\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n",
        "POST " + path + " HTTP/1.1\r\nHost: h\r\nContent-Length: 3\r\nContent-Length: 4\r\n\r\nabcd",
        "POST " + path + " HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\nabc\r\n0\r\n\r\n",
        "GET " + path + " HTTP/1.1\r\nHost: h\r\nX: a\u0000b\r\n\r\n",
    };
    for (String request : malformed) {
      RawHttp.Response r = RawHttp.exchange(proxy.address(), RawHttp.latin1(request));
      assertEquals(400, r.status(), request);
      assertFalse(r.text().contains("Exception") || r.text().contains("\tat "), r.text());
      assertEquals(1, r.text().strip().lines().count(), r.text());
    }
    assertEquals(0, upstream.seen(path).stream().filter(s -> s.method().equals("GET")).count());
  }

  @Test
  void aTakenPort_failsTheStartWithOneLine_andLeavesNothingRunning() throws Exception {
    try (ServerSocket taken = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        CacheEngine e = CacheEngine.builder(ApiCacheProxy.originDirectedPolicies(), CaffeineStore.builder().build())
            .build()) {
      int before = Thread.activeCount();
      for (int i = 0; i < 3; i++) {
        UncheckedIOException failure = assertThrows(UncheckedIOException.class,
            () -> ApiCacheProxy.builder(upstream.uri(), e).port(taken.getLocalPort()).start());
        assertInstanceOf(BindException.class, failure.getCause());
        assertTrue(failure.getMessage().contains("127.0.0.1:" + taken.getLocalPort()), failure.getMessage());
        assertFalse(failure.getMessage().contains("\n"), failure.getMessage());
      }
      org.awaitility.Awaitility.await("the failed starts' threads end").atMost(Duration.ofSeconds(60))
          .until(() -> Thread.activeCount() <= before + 2);
    }
  }

  @Test
  void stopping_finishesRequestsInProgress_thenRefusesNewOnes() throws Exception {
    String path = unique("/slow-write");
    CountDownLatch arrived = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    upstream.on(path, r -> {
      arrived.countDown();
      release.await(WAIT, TimeUnit.SECONDS);
      return Reply.of(200, "finished");
    });
    try (CacheEngine e = CacheEngine.builder(ApiCacheProxy.originDirectedPolicies(), CaffeineStore.builder().build())
        .build()) {
      ApiCacheProxy draining = ApiCacheProxy.builder(upstream.uri(), e).port(0).start();
      URI address = draining.address();
      Socket idle = connect(address); // a keep-alive connection with nothing in progress
      CompletableFuture<RawHttp.Response> inProgress = CompletableFuture.supplyAsync(() -> {
        try {
          return send(address, "POST", path, "x");
        } catch (IOException ex) {
          throw new UncheckedIOException(ex);
        }
      }, THREADS);
      assertTrue(arrived.await(WAIT, TimeUnit.SECONDS));
      CompletableFuture<Boolean> stopped = CompletableFuture.supplyAsync(() -> draining.stop(Duration.ofSeconds(60)),
          THREADS);
      org.awaitility.Awaitility.await("the listener closes").atMost(Duration.ofSeconds(60)).until(() -> {
        try (Socket s = new Socket(address.getHost(), address.getPort())) {
          return false;
        } catch (ConnectException refused) {
          return true;
        }
      });
      assertEquals(-1, idle.getInputStream().read(), "an idle connection is closed at once");
      idle.close();
      assertFalse(stopped.isDone(), "a request is still in progress");
      release.countDown();
      RawHttp.Response r = inProgress.get(WAIT, TimeUnit.SECONDS);
      assertEquals(200, r.status());
      assertEquals("finished", r.text());
      assertTrue(stopped.get(WAIT, TimeUnit.SECONDS), "every request finished within the grace period");
    } finally {
      release.countDown();
    }
  }

  @Test
  void stopping_givesUpOnRequestsPastTheGracePeriod() throws Exception {
    String path = unique("/too-slow");
    CountDownLatch arrived = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    upstream.on(path, r -> {
      arrived.countDown();
      release.await(WAIT, TimeUnit.SECONDS);
      return Reply.of(200, "late");
    });
    try (CacheEngine e = CacheEngine.builder(ApiCacheProxy.originDirectedPolicies(), CaffeineStore.builder().build())
        .build()) {
      ApiCacheProxy draining = ApiCacheProxy.builder(upstream.uri(), e).port(0).start();
      CompletableFuture<RawHttp.Response> inProgress = CompletableFuture.supplyAsync(() -> {
        try {
          return send(draining.address(), "POST", path, "x");
        } catch (IOException ex) {
          throw new UncheckedIOException(ex);
        }
      }, THREADS);
      assertTrue(arrived.await(WAIT, TimeUnit.SECONDS));
      assertFalse(draining.stop(Duration.ofMillis(200)), "the request outlived the grace period");
      assertTrue(inProgress.handle((r, t) -> t != null || r.status() != 200).get(WAIT, TimeUnit.SECONDS),
          "its connection was closed");
    } finally {
      release.countDown();
    }
  }

  private static Socket connect(URI address) throws IOException {
    Socket s = new Socket(address.getHost(), address.getPort());
    s.setSoTimeout((int) TimeUnit.SECONDS.toMillis(WAIT));
    return s;
  }

  private static byte[] chunk(String text) {
    byte[] data = text.getBytes(StandardCharsets.UTF_8);
    return RawHttp.latin1(Integer.toHexString(data.length) + "\r\n" + text + "\r\n");
  }

  private static String readHead(InputStream in) throws IOException {
    return readUntil(in, "\r\n\r\n");
  }

  /** Reads until the text read ends with {@code end}; fails on the socket's timeout. */
  private static String readUntil(InputStream in, String end) throws IOException {
    ByteArrayOutputStream seen = new ByteArrayOutputStream();
    while (!seen.toString(StandardCharsets.ISO_8859_1).endsWith(end)) {
      int c = in.read();
      if (c < 0) {
        throw new IOException("the connection ended before '" + end + "'; read: " + seen);
      }
      seen.write(c);
      if (seen.size() > 1 << 20) {
        throw new IOException("no '" + end + "' in a megabyte");
      }
    }
    return seen.toString(StandardCharsets.ISO_8859_1);
  }

  /** Echoes WebSocket frames (RFC 6455 §5.2): unmasks the client's and sends each back unmasked; ends on close. */
  private static void echoFrames(InputStream in, OutputStream out) throws IOException {
    while (true) {
      int b0 = in.read();
      int b1 = in.read();
      if (b0 < 0 || b1 < 0) {
        return;
      }
      long length = b1 & 0x7f;
      if (length == 126) {
        length = (in.read() << 8) | in.read();
      } else if (length == 127) {
        length = 0;
        for (int i = 0; i < 8; i++) {
          length = (length << 8) | in.read();
        }
      }
      byte[] mask = (b1 & 0x80) != 0 ? in.readNBytes(4) : new byte[4];
      byte[] payload = in.readNBytes((int) length);
      for (int i = 0; i < payload.length; i++) {
        payload[i] ^= mask[i % 4];
      }
      ByteArrayOutputStream frame = new ByteArrayOutputStream();
      frame.write(b0);
      if (payload.length < 126) {
        frame.write(payload.length);
      } else {
        frame.write(126);
        frame.write(payload.length >> 8);
        frame.write(payload.length & 0xff);
      }
      frame.write(payload);
      out.write(frame.toByteArray());
      out.flush();
      if ((b0 & 0x0f) == 0x8) {
        return; // close
      }
    }
  }
}
