package dev.apicache.proxy;

import static java.util.Objects.requireNonNull;

import dev.apicache.AdminApi;
import dev.apicache.Admission;
import dev.apicache.Bytes;
import dev.apicache.CacheEngine;
import dev.apicache.CacheFront;
import dev.apicache.CachePolicies;
import dev.apicache.CachePolicy;
import dev.apicache.CacheRequest;
import dev.apicache.CacheResponse;
import dev.apicache.Headers;
import dev.apicache.adapter.helidon.ApiCacheFeature;
import dev.apicache.adapter.helidon.HelidonExchange;
import io.helidon.http.Status;
import io.helidon.webserver.WebServer;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import io.helidon.webserver.http1.Http1Config;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.http.HttpRequest;
import java.net.http.HttpTimeoutException;
import java.time.Duration;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;

/**
 * A caching reverse proxy: a {@link CacheEngine} in front of any HTTP service, on Helidon SE.
 *
 * <pre>{@code
 * CacheEngine engine = CacheEngine.builder(ApiCacheProxy.originDirectedPolicies(), store).build();
 * try (ApiCacheProxy proxy = ApiCacheProxy.builder(URI.create("http://127.0.0.1:3000"), engine)
 *     .port(8080).start()) {
 *   ...
 * }
 * }</pre>
 *
 * <p>Requests a policy matches are answered by the engine, which asks the upstream (over one
 * pooled HTTP/1.1 client) on a miss and for background refreshes. Every other request, writes
 * included, is forwarded with its body streamed both ways; a successful write invalidates before
 * its response is sent, so a client that sees its write succeed never reads the old data here.
 * Per-hop fields (RFC 9110 §7.6.1) are removed each way, {@code Via} is added each way, and the
 * upstream learns the client through {@code X-Forwarded-For}, {@code -Host} and {@code -Proto}.
 * The client's {@code Host} goes on unchanged when the JVM lets the JDK client send it (start it
 * with {@code -Djdk.httpclient.allowRestrictedHeaders=host}, as {@code apicache proxy} does);
 * otherwise the upstream gets its own authority and a warning is logged once. Keep the client's
 * idle-connection timeout ({@code -Djdk.httpclient.keepalive.timeout}, seconds) below the
 * upstream's keep-alive timeout: an unsafe request is never retried, so one sent on a connection
 * the upstream is closing gets 502 ({@code apicache proxy} sets 4 s, under Node's 5 s). A request whose
 * fields hold bytes above 0x7f is refused with 400: the server reads those bytes as U+FFFD, and the
 * proxy never forwards altered bytes. An unreachable upstream is answered
 * with 502, one that does not answer within the response timeout with 504, unless the engine may
 * serve a stale copy instead.
 *
 * <p>With an admin token, {@link AdminApi} answers under {@code /_apicache/} (stats, invalidation by
 * event and tag, purges by URL and policy) for {@code Authorization: Bearer <token>}; without one
 * that path is proxied like any other. The engine stays the caller's to close.
 */
public final class ApiCacheProxy implements AutoCloseable {
  /** The pseudonym this proxy adds to {@code Via}. */
  public static final String VIA = "1.1 apicache";

  private final CacheEngine engine;
  private final CacheFront front;
  private final Upstream upstream;
  private final Optional<AdminApi> admin;
  private final WebServer server;

  private ApiCacheProxy(Builder b) {
    this.engine = b.engine;
    this.front = CacheFront.of(engine);
    this.upstream = new Upstream(b.upstream, b.connectTimeout, b.responseTimeout, engine.policies().maxBodyBytes(), VIA);
    this.admin = b.admin;
    this.server = WebServer.builder()
        .host(b.host)
        .port(b.port)
        .addProtocol(Http1Config.builder().name("http_1_1")
            .addSendListener(ApiCacheFeature.notModifiedListener()).build())
        .routing(routing -> routing.any(this::handle))
        .build();
  }

  /**
   * A builder for a proxy in front of {@code upstream} ({@code http://host:port} or
   * {@code https://host:port}, no path) serving through {@code engine}.
   *
   * @throws IllegalArgumentException when {@code upstream} is not such a URI, saying why
   */
  public static Builder builder(URI upstream, CacheEngine engine) {
    return new Builder(checkUpstream(requireNonNull(upstream, "upstream")), requireNonNull(engine, "engine"));
  }

  /**
   * The proxy's default policies: every path on every host, freshness as each response's
   * {@code Cache-Control} and {@code Expires} say (RFC 9111), nothing stored that the upstream does
   * not mark cacheable, entries keyed per host and on the whole query as sent.
   */
  public static CachePolicies originDirectedPolicies() {
    return CachePolicies.builder()
        .add(CachePolicy.forRoute("/**").originDirected(Duration.ZERO, Duration.ofDays(365)).varyBy("query:*")
            .build())
        .build();
  }

  /**
   * {@code text} as an upstream URI, or an {@link IllegalArgumentException} that says what is wrong
   * with it in one line.
   */
  public static URI parseUpstream(String text) {
    requireNonNull(text, "text");
    try {
      return checkUpstream(new URI(text.trim()));
    } catch (URISyntaxException e) {
      throw new IllegalArgumentException("upstream '" + text + "' is not a URI: " + e.getReason());
    }
  }

  private static URI checkUpstream(URI u) {
    String scheme = u.getScheme() == null ? "" : u.getScheme().toLowerCase(Locale.ROOT);
    if (!scheme.equals("http") && !scheme.equals("https")) {
      throw new IllegalArgumentException("upstream '" + u + "' must start with http:// or https://");
    }
    if (u.getHost() == null) {
      throw new IllegalArgumentException("upstream '" + u + "' has no host name (use http://host:port)");
    }
    if (u.getRawUserInfo() != null) {
      throw new IllegalArgumentException("upstream '" + u + "' must not carry credentials");
    }
    if ((u.getRawPath() != null && !u.getRawPath().isEmpty() && !u.getRawPath().equals("/"))
        || u.getRawQuery() != null || u.getRawFragment() != null) {
      throw new IllegalArgumentException("upstream '" + u + "' must be scheme, host and port only: requests keep "
          + "their own path");
    }
    String port = u.getPort() < 0 ? "" : ":" + u.getPort();
    return URI.create(scheme + "://" + u.getRawAuthority().replaceAll(":\\d*$", "") + port);
  }

  /** Where the proxy listens, such as {@code http://127.0.0.1:8080}. */
  public URI address() {
    String host = server.prototype().host();
    return URI.create("http://" + (host.contains(":") ? "[" + host + "]" : host) + ":" + server.port());
  }

  /** The port the proxy listens on (the one chosen when the builder asked for port 0). */
  public int port() {
    return server.port();
  }

  /** The upstream, as {@code scheme://host[:port]}. */
  public URI upstream() {
    return upstream.base();
  }

  /** Whether the admin endpoint is on. */
  public boolean adminEnabled() {
    return admin.isPresent();
  }

  /** Stops listening; the engine is not closed. */
  @Override
  public void close() {
    server.stop();
  }

  private void handle(ServerRequest req, ServerResponse res) {
    try {
      HelidonExchange exchange = new HelidonExchange(req, res);
      if (admin.isPresent() && admin.get().owns(req.prologue().uriPath().rawPath())) {
        CacheFront.send(exchange, admin.get().handle(CacheFront.snapshot(exchange)));
        return;
      }
      String method = exchange.method();
      String target = exchange.target();
      if (method.equals("CONNECT") || !isSendable(target)) {
        gatewayError(res, method.equals("CONNECT") ? 501 : 400, method.equals("CONNECT")
            ? "this proxy does not tunnel" : "the request target is not a URI the proxy can send on");
        return;
      }
      CacheRequest snapshot = CacheFront.snapshot(exchange);
      if (!hasForwardableFields(snapshot.headers())) {
        gatewayError(res, 400, "a header field holds bytes above 0x7f, which this proxy cannot forward unchanged");
        return;
      }
      CacheRequest request = forwarded(snapshot, req);
      boolean hasBody = req.content().hasEntity();
      Admission admission = engine.admit(request);
      if (admission instanceof Admission.Cacheable && hasBody) {
        admission = null; // a GET with a body may depend on it: never answered from, or stored in, the cache
      }
      if (admission instanceof Admission.Cacheable) {
        CacheFront.send(exchange, engine.handle(admission, upstream));
        return;
      }
      relay(exchange, res, request, admission, hasBody ? bodyOf(req) : HttpRequest.BodyPublishers.noBody());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Forwards a request the cache does not answer, and streams the answer back. */
  private void relay(HelidonExchange exchange, ServerResponse res, CacheRequest request, Admission admission,
      HttpRequest.BodyPublisher body) throws IOException {
    Upstream.Exchange answer;
    try {
      answer = upstream.send(request.method(), request.target(), request.headers(), body);
    } catch (HttpTimeoutException e) {
      gatewayError(res, 504, "the upstream did not answer in time");
      return;
    } catch (IOException e) {
      gatewayError(res, 502, "the upstream could not be reached");
      return;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      gatewayError(res, 502, "interrupted while waiting for the upstream");
      return;
    }
    Headers headers = answer.headers();
    if (admission instanceof Admission.Write write) {
      // before the client can see its write succeed
      Optional<CacheResponse> instead = front.reportWrite(write.request(), answer.status(), headers);
      if (instead.isPresent()) {
        answer.body().close();
        CacheFront.send(exchange, instead.get());
        return;
      }
      headers = withAll(headers, engine.fieldsFor(write));
    } else if (admission instanceof Admission.Bypass) {
      headers = withAll(headers, engine.fieldsFor(admission));
    }
    try (InputStream in = answer.body()) {
      boolean noBody = request.method().equals("HEAD") || answer.status() == 204 || answer.status() == 304
          || answer.status() < 200;
      if (noBody) {
        Headers.Builder h = headers.toBuilder();
        if (answer.contentLength() >= 0) {
          h.set("Content-Length", Long.toString(answer.contentLength()));
        }
        CacheFront.send(exchange, CacheResponse.of(answer.status(), h.build(), Bytes.empty()));
        return;
      }
      if (answer.contentLength() >= 0) {
        res.contentLength(answer.contentLength()); // streamed, but not chunked when the upstream said its length
      }
      CacheFront.send(exchange, CacheResponse.passThrough(answer.status(), headers, in));
    }
  }

  private static Headers withAll(Headers headers, Headers added) {
    Headers.Builder b = headers.toBuilder();
    added.forEach(b::set);
    return b.build();
  }

  /**
   * The client's request as the upstream gets it: per-hop fields removed, {@code Via} added, and the
   * client named in {@code X-Forwarded-For} (appended), {@code X-Forwarded-Host} and
   * {@code X-Forwarded-Proto}. {@code Host} stays for the cache key; the upstream client replaces it.
   */
  private static CacheRequest forwarded(CacheRequest snapshot, ServerRequest req) {
    Headers.Builder h = HopByHop.forwardable(snapshot.headers(), Set.of(), VIA).toBuilder();
    String client = req.remotePeer().address() instanceof InetSocketAddress a ? a.getAddress().getHostAddress() : "";
    Optional<String> prior = snapshot.headers().first("X-Forwarded-For");
    h.set("X-Forwarded-For", prior.map(p -> p + ", " + client).orElse(client));
    snapshot.headers().first("Host").ifPresent(host -> h.set("X-Forwarded-Host", host));
    h.set("X-Forwarded-Proto", snapshot.scheme());
    return snapshot.toBuilder().headers(h.build()).build();
  }

  /**
   * Whether every field value can go on as the client sent it: Helidon reads each byte above 0x7f
   * as U+FFFD, so such a value can no longer be forwarded unchanged, and is refused rather than
   * altered.
   */
  private static boolean hasForwardableFields(Headers headers) {
    for (int i = 0; i < headers.size(); i++) {
      String v = headers.value(i);
      for (int j = 0; j < v.length(); j++) {
        if (v.charAt(j) > 0x7e) {
          return false;
        }
      }
    }
    return true;
  }

  private static boolean isSendable(String target) {
    if (!target.startsWith("/")) {
      return false;
    }
    try {
      new URI("http://h" + target);
      return true;
    } catch (URISyntaxException e) {
      return false;
    }
  }

  private static HttpRequest.BodyPublisher bodyOf(ServerRequest req) {
    long length = req.headers().contentLength().orElse(-1);
    InputStream in = req.content().inputStream();
    HttpRequest.BodyPublisher stream = HttpRequest.BodyPublishers.ofInputStream(() -> in);
    return length > 0 ? HttpRequest.BodyPublishers.fromPublisher(stream, length) : stream;
  }

  private static void gatewayError(ServerResponse res, int status, String why) {
    res.status(Status.create(status));
    res.header("Content-Type", "text/plain; charset=utf-8");
    res.header("Cache-Control", "no-store");
    res.send("apicache proxy: " + why + "\n");
  }

  /** Configures a proxy; {@link #start()} builds and starts it. */
  public static final class Builder {
    private final URI upstream;
    private final CacheEngine engine;
    private String host = "127.0.0.1";
    private int port = 8080;
    private Duration connectTimeout = Duration.ofSeconds(2);
    private Duration responseTimeout = Duration.ofSeconds(30);
    private Optional<AdminApi> admin = Optional.empty();

    private Builder(URI upstream, CacheEngine engine) {
      this.upstream = upstream;
      this.engine = engine;
    }

    /** The address to listen on; default {@code 127.0.0.1} (a sidecar's loopback). */
    public Builder host(String value) {
      host = requireNonNull(value, "host");
      return this;
    }

    /** The port to listen on, 0 for any free one; default 8080. */
    public Builder port(int value) {
      if (value < 0 || value > 65535) {
        throw new IllegalArgumentException("port must be in [0, 65535] but was " + value);
      }
      port = value;
      return this;
    }

    /** How long a connection to the upstream may take before the request gets 504; default 2 s. */
    public Builder connectTimeout(Duration value) {
      connectTimeout = positive("connectTimeout", value);
      return this;
    }

    /** How long the upstream may take to start its response before the request gets 504; default 30 s. */
    public Builder responseTimeout(Duration value) {
      responseTimeout = positive("responseTimeout", value);
      return this;
    }

    /**
     * Turns the admin API on, for callers that send {@code Authorization: Bearer <token>}.
     *
     * @throws IllegalArgumentException when the token is shorter than 16 characters
     */
    public Builder adminToken(String token) {
      admin = Optional.of(AdminApi.of(engine, token));
      return this;
    }

    /** Builds the proxy and starts listening. */
    public ApiCacheProxy start() {
      ApiCacheProxy proxy = new ApiCacheProxy(this);
      proxy.server.start();
      return proxy;
    }

    private static Duration positive(String name, Duration value) {
      requireNonNull(value, name);
      if (value.isNegative() || value.isZero()) {
        throw new IllegalArgumentException(name + " must be positive but was " + value);
      }
      return value;
    }
  }
}
