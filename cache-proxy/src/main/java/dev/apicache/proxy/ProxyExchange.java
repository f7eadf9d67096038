package dev.apicache.proxy;

import dev.apicache.Admission;
import dev.apicache.Bytes;
import dev.apicache.CacheEngine;
import dev.apicache.CacheRequest;
import dev.apicache.CacheResponse;
import dev.apicache.Headers;
import dev.apicache.adapter.AdminApi;
import dev.apicache.adapter.CacheFront;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.handler.codec.TooLongFrameException;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.DefaultLastHttpContent;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.TooLongHttpHeaderException;
import io.netty.handler.codec.http.TooLongHttpLineException;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.ProtocolException;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.channels.ClosedChannelException;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import org.jspecify.annotations.Nullable;

/**
 * One client request through the proxy, on its own virtual thread: refused when malformed,
 * answered by the admin API, tunnelled when it upgrades, answered by the engine when a policy
 * caches it, and otherwise forwarded with its body and its answer streamed part by part.
 */
final class ProxyExchange {
  private static final System.Logger LOG = System.getLogger("dev.apicache.proxy");
  private static final AtomicLong LAST_FAULT_LOG = new AtomicLong();

  private final ApiCacheProxy proxy;
  private final ClientConnection connection;
  private final HttpRequest request;
  private final @Nullable Inbox body;
  private final ClientResponse out;
  private final long writeTimeoutNanos;
  private final Instant start = Instant.now();
  private final long started = System.nanoTime();
  /** The request in the engine's terms, once worked out (on the event loop or the exchange's thread). */
  private @Nullable Prepared prepared;
  /** A response the engine already served, for the exchange's thread to send. */
  private @Nullable CacheResponse ready;

  ProxyExchange(ApiCacheProxy proxy, ClientConnection connection, HttpRequest request, @Nullable Inbox body,
      long writeTimeoutNanos) {
    this.proxy = proxy;
    this.connection = connection;
    this.request = request;
    this.body = body;
    this.writeTimeoutNanos = writeTimeoutNanos;
    boolean http10 = request.protocolVersion().equals(HttpVersion.HTTP_1_0);
    this.out = new ClientResponse(connection, http10, request.method().name().equals("HEAD"),
        HttpUtil.isKeepAlive(request), writeTimeoutNanos, proxy.directBodies());
  }

  /**
   * On the connection's event loop: answers the request there when the engine can serve it from
   * memory without waiting (a hit, a 304, a stale copy being refreshed) and the client takes writes
   * now. False leaves the request to {@link #run} on a thread of its own, which keeps what was
   * worked out here (the admission is counted once).
   */
  boolean answerOnLoop() {
    if (body != null || request.decoderResult().isFailure() || !connection.channel().isWritable()
        || request.method().name().equals("CONNECT") || !isSendable(request.uri())) {
      return false;
    }
    CacheResponse held;
    try {
      Prepared p = prepare();
      if (p == null || !(p.admission() instanceof Admission.Cacheable cacheable)) {
        return false;
      }
      Optional<CacheResponse> served = proxy.engine().serveWithoutWaiting(cacheable, proxy.upstreamClient());
      if (served.isEmpty()) {
        return false;
      }
      held = served.get();
      if (!(held.content() instanceof CacheResponse.Content.Held)) {
        ready = held; // counted as served: the thread sends it as it is
        return false;
      }
    } catch (RuntimeException e) {
      prepared = null;
      ready = null;
      return false; // the thread goes through it again, and answers or logs what fails there
    }
    CacheResponse response = held;
    complete(() -> {
      out.whole(response.status(), response.headers(), response.body(), declared(response), true);
      return false;
    });
    return true;
  }

  /** Runs the exchange to its end, blocking as it must; never throws. */
  void run() {
    complete(this::answer);
  }

  /** What answers the request; true when the connection became a tunnel. */
  private interface Step {
    boolean run() throws IOException, InterruptedException;
  }

  private void complete(Step step) {
    Upstream.WAITED.get()[0] = 0;
    try {
      exchange(step);
    } finally {
      proxy.record(new RequestRecord(start, clientAddress(), request.method().name(), request.uri(),
          request.protocolVersion().text(), out.status(), out.bytesSent(), out.cache(),
          Duration.ofNanos(System.nanoTime() - started), Duration.ofNanos(Upstream.WAITED.get()[0])));
    }
  }

  private void exchange(Step step) {
    boolean tunnelled = false;
    try {
      tunnelled = step.run();
    } catch (ClosedChannelException gone) {
      // the client left; nothing to answer
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (IOException | RuntimeException e) {
      logFault(e);
      if (!out.started()) {
        try {
          plain(500, "apicache proxy: the request failed inside the proxy (" + e.getClass().getSimpleName() + ")");
        } catch (IOException | InterruptedException ignored) {
          // the client is gone as well
        }
      }
    } finally {
      if (body != null) {
        body.abandon();
      }
      if (!tunnelled) {
        out.finish();
      }
    }
  }

  private CacheRequest clientRequest() {
    CacheRequest.Builder snapshot = CacheRequest.builder(request.method().name(), request.uri()).scheme("http");
    for (var e : request.headers()) {
      snapshot.header(e.getKey(), e.getValue());
    }
    return snapshot.build();
  }

  /** The client's request, as the upstream gets it, and its admission. */
  private record Prepared(CacheRequest client, CacheRequest forwarded, @Nullable Admission admission) {
  }

  /**
   * Reads the request into the engine's terms: null when it goes to the admin API; an admission
   * only for a request the cache may answer (no upgrade), counted once here.
   */
  private @Nullable Prepared prepare() {
    Prepared p = prepared;
    if (p != null) {
      return p;
    }
    CacheRequest client = clientRequest();
    Optional<AdminApi> admin = proxy.admin();
    if (admin.isPresent() && admin.get().owns(client.path())) {
      return null;
    }
    CacheRequest forwarded = forwarded(client);
    Admission admission = isUpgrade(client.headers()) && body == null ? null : proxy.engine().admit(forwarded);
    p = new Prepared(client, forwarded, admission);
    prepared = p;
    return p;
  }

  /** Answers the request; true when the connection became a tunnel. */
  private boolean answer() throws IOException, InterruptedException {
    if (request.decoderResult().isFailure()) {
      Throwable cause = request.decoderResult().cause();
      int status = cause instanceof TooLongHttpLineException ? 414
          : cause instanceof TooLongHttpHeaderException ? 431 : cause instanceof TooLongFrameException ? 400 : 400;
      plain(status, "apicache proxy: malformed request: " + oneLine(cause.getMessage()));
      return false;
    }
    String method = request.method().name();
    String target = request.uri();
    if (method.equals("CONNECT")) {
      plain(501, "apicache proxy: this proxy does not tunnel");
      return false;
    }
    if (!isSendable(target)) {
      plain(400, "apicache proxy: the request target is not a URI the proxy can send on");
      return false;
    }
    Prepared p = prepare();
    if (p == null) {
      send(proxy.admin().orElseThrow().handle(clientRequest()));
      return false;
    }
    CacheRequest forwarded = p.forwarded();
    Admission admission = p.admission();
    if (admission == null) {
      return tunnel(forwarded);
    }
    CacheResponse already = ready;
    if (already != null) {
      send(already);
      return false;
    }
    CacheEngine engine = proxy.engine();
    if (admission instanceof Admission.Cacheable && body == null) {
      send(engine.handle(admission, proxy.upstreamClient()));
      return false;
    }
    if (admission instanceof Admission.Cacheable) {
      admission = null; // a GET with a body may depend on it: never answered from, or stored in, the cache
    }
    relay(forwarded, admission);
    return false;
  }

  /**
   * Asks the upstream to switch protocols on a connection of its own; on its 101 the two
   * connections become a tunnel, and any other answer goes back as a response. Never cached.
   */
  private boolean tunnel(CacheRequest request) throws IOException, InterruptedException {
    Upstream upstream = proxy.upstreamClient();
    HttpRequest head = upstream.requestHead(request.method(), request.target(), request.headers());
    head.headers().set("Connection", "upgrade");
    head.headers().set("Upgrade", String.join(", ", request.headers().all("Upgrade")));
    UpstreamCall call;
    HttpResponse answer;
    try {
      call = upstream.send(Upstream.withEnd(head), false);
      try {
        answer = upstream.head(call, out::interim);
      } catch (IOException | InterruptedException e) {
        call.abandon();
        throw e;
      }
    } catch (SocketTimeoutException e) {
      plain(504, "apicache proxy: the upstream did not answer in time");
      return false;
    } catch (ProtocolException malformedResponse) {
      plain(502, "apicache proxy: " + oneLine(malformedResponse.getMessage()));
      return false;
    } catch (IOException e) {
      plain(502, "apicache proxy: the upstream could not be reached");
      return false;
    }
    if (answer.status().code() == 101) {
      out.cache("TUNNEL");
      Tunnel.splice(connection, call, answer, ApiCacheProxy.VIA);
      connection.tunnelled();
      return true;
    }
    try {
      forward(request, null, call, answer);
    } finally {
      call.abandon();
    }
    return false;
  }

  /** Forwards a request the cache does not answer; its body and the answer stream both ways. */
  private void relay(CacheRequest request, @Nullable Admission admission) throws IOException, InterruptedException {
    Upstream upstream = proxy.upstreamClient();
    HttpRequest head = upstream.requestHead(request.method(), request.target(), request.headers());
    UpstreamCall call;
    HttpResponse answer;
    try {
      if (body == null) {
        HttpResponse[] received = new HttpResponse[1];
        call = upstream.exchange(Upstream.withEnd(head), Upstream.isRetryable(request.method()), out::interim,
            received);
        answer = received[0];
      } else {
        long length = HttpUtil.getContentLength(this.request, -1L);
        if (length >= 0 && !HttpUtil.isTransferEncodingChunked(this.request)) {
          head.headers().set("Content-Length", length);
        } else {
          head.headers().set("Transfer-Encoding", "chunked");
        }
        call = upstream.send(head, true);
        try {
          sendBody(call, body);
          answer = upstream.head(call, out::interim);
        } catch (IOException | InterruptedException | RuntimeException e) {
          call.abandon();
          throw e;
        }
      }
    } catch (ClientConnection.MalformedBody e) {
      plain(400, "apicache proxy: " + oneLine(e.getMessage()));
      return;
    } catch (ProtocolException malformedResponse) {
      plain(502, "apicache proxy: " + oneLine(malformedResponse.getMessage()));
      return;
    } catch (java.io.EOFException clientLeft) {
      throw new ClosedChannelException();
    } catch (SocketTimeoutException e) {
      plain(504, "apicache proxy: the upstream did not answer in time");
      return;
    } catch (IOException e) {
      plain(502, "apicache proxy: the upstream could not be reached");
      return;
    }
    try {
      forward(request, admission, call, answer);
    } finally {
      call.abandon(); // no-op once the response ended; otherwise the connection cannot be reused
    }
  }

  private void forward(CacheRequest request, @Nullable Admission admission, UpstreamCall call, HttpResponse answer)
      throws IOException, InterruptedException {
    Upstream upstream = proxy.upstreamClient();
    int status = answer.status().code();
    if (status == 101) {
      plain(502, "apicache proxy: the upstream switched protocols on a request that did not ask to");
      return;
    }
    Headers headers = upstream.responseHeaders(answer);
    CacheEngine engine = proxy.engine();
    if (admission instanceof Admission.Write write) {
      // before the client can see its write succeed
      Optional<CacheResponse> instead = proxy.front().reportWrite(write.request(), status, headers);
      if (instead.isPresent()) {
        send(instead.get());
        return;
      }
      headers = withAll(headers, engine.fieldsFor(write));
    } else if (admission instanceof Admission.Bypass) {
      headers = withAll(headers, engine.fieldsFor(admission));
    }
    long length = Upstream.contentLength(answer);
    out.head(status, headers, length);
    try {
      for (ByteBuf part; (part = upstream.next(call)) != null; ) {
        out.content(part);
      }
    } catch (SocketTimeoutException | ProtocolException e) {
      throw new ClosedChannelException(); // the head is out: the client learns of it from the connection's close
    }
    out.end();
  }

  /** Streams the client's request body to the upstream call, ending it with a last part. */
  private void sendBody(UpstreamCall call, Inbox from) throws IOException, InterruptedException {
    Channel up = call.channel();
    while (true) {
      Object part = from.take(proxy.responseTimeoutNanos());
      if (part instanceof Inbox.Broken b) {
        throw b.cause();
      }
      if (part instanceof Inbox.End) {
        up.writeAndFlush(new DefaultLastHttpContent(Unpooled.EMPTY_BUFFER,
            io.netty.handler.codec.http.DefaultHttpHeadersFactory.trailersFactory().withValidation(false)
                .newHeaders()));
        return;
      }
      ByteBuf b = (ByteBuf) part;
      WritableGate.of(up).await(up, writeTimeoutNanos);
      up.writeAndFlush(new DefaultHttpContent(b));
    }
  }

  /** Sends the engine's (or the admin API's) response. */
  private void send(CacheResponse response) throws IOException, InterruptedException {
    if (response.content() == CacheResponse.Content.Sent.SENT) {
      return;
    }
    Optional<InputStream> stream = response.content() instanceof CacheResponse.Content.Streaming s
        ? Optional.of(s.stream()) : Optional.empty();
    long declared = declaredLength(response.headers());
    if (stream.isEmpty()) {
      out.whole(response.status(), response.headers(), response.body(), declared(response), false);
      return;
    }
    try (InputStream in = stream.get()) {
      out.head(response.status(), response.headers(), declared);
      while (true) {
        ByteBuf part = connection.channel().alloc().heapBuffer(16 * 1024);
        int n;
        try {
          n = part.writeBytes(in, part.writableBytes());
        } catch (IOException e) {
          part.release();
          throw new ClosedChannelException(); // the head is out: the client learns of it from the close
        }
        if (n < 0) {
          part.release();
          break;
        }
        out.content(part);
      }
      out.end();
    }
  }

  private void plain(int status, String text) throws IOException, InterruptedException {
    Headers h = Headers.builder().add("Content-Type", "text/plain; charset=utf-8").add("Cache-Control", "no-store")
        .add("Via", ApiCacheProxy.VIA).build();
    out.whole(status, h, Bytes.utf8(text + "\n"), -1, false);
  }

  /** The length a bodiless response (a HEAD's, a 304) declares, or -1 for one with its body. */
  private static long declared(CacheResponse response) {
    return response.body().isEmpty() ? declaredLength(response.headers()) : -1;
  }

  private static long declaredLength(Headers headers) {
    return headers.first("Content-Length").map(v -> {
      try {
        return Long.parseLong(v.trim());
      } catch (NumberFormatException e) {
        return -1L;
      }
    }).orElse(-1L);
  }

  private static Headers withAll(Headers headers, Headers added) {
    Headers.Builder b = headers.toBuilder();
    added.forEach(b::set);
    return b.build();
  }

  /**
   * The client's request as the upstream gets it: the client named in {@code X-Forwarded-For}
   * (appended), {@code X-Forwarded-Host} and {@code X-Forwarded-Proto}; per-hop fields go when the
   * upstream request is built.
   */
  private CacheRequest forwarded(CacheRequest client) {
    Headers.Builder h = client.headers().toBuilder();
    String address = clientAddress();
    Optional<String> prior = client.headers().first("X-Forwarded-For");
    h.set("X-Forwarded-For", prior.map(p -> p + ", " + address).orElse(address));
    client.headers().first("Host").ifPresent(host -> h.set("X-Forwarded-Host", host));
    h.set("X-Forwarded-Proto", client.scheme());
    return client.toBuilder().headers(h.build()).build();
  }

  private String clientAddress() {
    return connection.channel().remoteAddress() instanceof InetSocketAddress a ? a.getAddress().getHostAddress() : "";
  }

  /**
   * Whether the request asks to switch to a protocol the upstream may speak (RFC 9110 §7.8):
   * {@code Upgrade}, named in {@code Connection}. An offer of {@code h2c} alone is not one: the
   * upstream hop is HTTP/1.1, so the proxy declines it, as a server may, and answers in HTTP/1.1 (the
   * JDK's HTTP client offers it on every first request).
   */
  static boolean isUpgrade(Headers headers) {
    boolean other = false;
    for (String line : headers.all("Upgrade")) {
      for (String protocol : line.split(",")) {
        String p = protocol.trim().toLowerCase(java.util.Locale.ROOT);
        other |= !p.isEmpty() && !p.equals("h2c") && !p.startsWith("http/2");
      }
    }
    if (!other) {
      return false;
    }
    for (String line : headers.all("Connection")) {
      for (String option : line.split(",")) {
        if (option.trim().equalsIgnoreCase("upgrade")) {
          return true;
        }
      }
    }
    return false;
  }

  private static boolean isSendable(String target) {
    if (!target.startsWith("/")) {
      return false;
    }
    if (plainTarget(target)) {
      return true; // the common case, checked without building a URI per request
    }
    try {
      new URI("http://h" + target);
      return true;
    } catch (URISyntaxException e) {
      return false;
    }
  }

  /**
   * Whether {@code target} holds only unreserved and sub-delimiter characters, {@code :@/?} and
   * well-formed percent escapes: such a path and query is always a URI.
   */
  private static boolean plainTarget(String target) {
    for (int i = 0; i < target.length(); i++) {
      char c = target.charAt(i);
      if (c == '%') {
        if (i + 2 >= target.length() || Character.digit(target.charAt(i + 1), 16) < 0
            || Character.digit(target.charAt(i + 2), 16) < 0) {
          return false;
        }
        i += 2;
      } else if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
          || "-._~!$&'()*+,;=:@/?".indexOf(c) >= 0)) {
        return false;
      }
    }
    return true;
  }

  private static String oneLine(@Nullable String s) {
    return s == null ? "" : s.replaceAll("[\\r\\n]+", " ");
  }

  private static void logFault(Exception e) {
    long now = System.nanoTime();
    long last = LAST_FAULT_LOG.get();
    if ((last == 0 || now - last > 10_000_000_000L) && LAST_FAULT_LOG.compareAndSet(last, now)) {
      LOG.log(System.Logger.Level.WARNING, "apicache proxy: a request failed inside the proxy (logged at most "
          + "every 10 s)", e);
    }
  }
}
