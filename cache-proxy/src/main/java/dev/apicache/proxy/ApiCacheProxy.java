package dev.apicache.proxy;

import static java.util.Objects.requireNonNull;

import dev.apicache.CacheEngine;
import dev.apicache.CachePolicies;
import dev.apicache.CachePolicy;
import dev.apicache.adapter.AdminApi;
import dev.apicache.adapter.CacheFront;
import java.net.URI;
import java.net.URISyntaxException;
import java.time.Duration;
import java.util.Locale;
import java.util.Optional;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;

/**
 * A caching reverse proxy: a {@link CacheEngine} in front of any HTTP service, on Netty.
 *
 * <pre>{@code
 * CacheEngine engine = CacheEngine.builder(ApiCacheProxy.originDirectedPolicies(), store).build();
 * try (ApiCacheProxy proxy = ApiCacheProxy.builder(URI.create("http://127.0.0.1:3000"), engine)
 *     .port(8080).start()) {
 *   ...
 * }
 * }</pre>
 *
 * <p>It speaks HTTP/1.1 and HTTP/1.0 to clients (keep-alive included) and HTTP/1.1 to the upstream
 * over pooled keep-alive connections. Requests a policy matches are answered by the engine, which
 * asks the upstream on a miss and for background refreshes. Every other request, writes included,
 * is forwarded with its body streamed both ways, each part flushed as it arrives, so a stream of
 * events reaches the client as the upstream sends it; a successful write invalidates before its
 * response is sent, so a client that sees its write succeed never reads the old data here. A
 * request to switch protocols (a WebSocket handshake) is tunnelled to the upstream and never cached.
 *
 * <p>Fields go on byte for byte, obs-text (bytes above 0x7f) included, less the per-hop fields
 * (RFC 9110 §7.6.1); {@code Via} is added each way, and the upstream learns the client through
 * {@code X-Forwarded-For}, {@code -Host} and {@code -Proto}. Framing is strict both ways: a client
 * request with conflicting or duplicated lengths, {@code Content-Length} beside chunked, an invalid
 * field name or a malformed chunk gets 400 (414 and 431 for a request line or header section over
 * 8 KiB and 64 KiB); such a response from the upstream, or a status outside 100-599, gets 502 and
 * is never stored. An unreachable upstream is answered with 502, one that does not answer within
 * the response timeout with 504, unless the engine may serve a stale copy instead.
 *
 * <p>With an admin token, {@link AdminApi} answers under {@code /_apicache/} (stats, invalidation by
 * event and tag, purges by URL and policy) for {@code Authorization: Bearer <token>}; without one
 * that path is proxied like any other. {@link #close()} drains: it stops accepting, lets requests in
 * progress finish within the drain timeout, then closes. The engine stays the caller's to close.
 *
 * @since 0.1
 */
public final class ApiCacheProxy implements AutoCloseable {
  /** The pseudonym this proxy adds to {@code Via}. */
  public static final String VIA = "1.1 apicache";
  private static final System.Logger LOG = System.getLogger("dev.apicache.proxy");

  private final CacheEngine engine;
  private final CacheFront front;
  private final Upstream upstream;
  private final Optional<AdminApi> admin;
  private final ProxyServer server;
  private final String host;
  private final Duration drainTimeout;
  private final long responseTimeoutNanos;
  private final @Nullable Consumer<RequestRecord> requestListener;
  /** Direct copies of large stored bodies, written by hits without a copy per request. */
  private final DirectBodies directBodies = new DirectBodies(DIRECT_BODY_BYTES);
  /** What {@link #directBodies} may hold: part of the proxy's fixed memory beyond its cache. */
  static final long DIRECT_BODY_BYTES = 32L * 1024 * 1024;

  private ApiCacheProxy(Builder b) {
    this.engine = b.engine;
    this.front = CacheFront.of(engine);
    this.admin = b.admin;
    this.host = b.host;
    this.drainTimeout = b.drainTimeout;
    this.responseTimeoutNanos = b.responseTimeout.toNanos();
    this.requestListener = b.requestListener;
    long writeTimeout = b.idleTimeout.toNanos();
    this.server = new ProxyServer((connection, request, body) -> {
      ProxyExchange exchange = new ProxyExchange(this, connection, request, body, writeTimeout);
      return exchange.answerOnLoop() ? null : exchange::run;
    }, b.idleTimeout, b.ioThreads, b.connectionProbe);
    this.upstream = new Upstream(b.upstream, server.loops(), b.connectTimeout, b.responseTimeout,
        b.upstreamIdleTimeout, engine.policies().maxBodyBytes(), VIA);
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

  /**
   * The event loops' transport: {@code epoll} (Linux, through Netty's native library, which the
   * proxy ships for x86-64) or {@code nio} (elsewhere, or with {@code -Dio.netty.transport.noNative=true}).
   */
  public String transport() {
    return Transport.name();
  }

  /** Whether the admin endpoint is on. */
  public boolean adminEnabled() {
    return admin.isPresent();
  }

  /** Whether the proxy takes new connections: listening, and not stopping. */
  public boolean accepting() {
    return !server.draining();
  }

  /** Requests being answered right now. */
  public int requestsInProgress() {
    return server.inFlight();
  }

  /**
   * Stops accepting connections, closes idle ones, lets requests in progress finish within
   * {@code grace} (their responses say {@code Connection: close}), then closes every connection.
   * Returns whether every request in progress finished in time. The engine is not closed.
   */
  public boolean stop(Duration grace) {
    requireNonNull(grace, "grace");
    boolean finished = server.stop(grace);
    upstream.close();
    directBodies.clear();
    return finished;
  }

  /** {@link #stop} with the builder's drain timeout. */
  @Override
  public void close() {
    stop(drainTimeout);
  }

  CacheEngine engine() {
    return engine;
  }

  CacheFront front() {
    return front;
  }

  Optional<AdminApi> admin() {
    return admin;
  }

  DirectBodies directBodies() {
    return directBodies;
  }

  Upstream upstreamClient() {
    return upstream;
  }

  long responseTimeoutNanos() {
    return responseTimeoutNanos;
  }

  void record(RequestRecord record) {
    if (requestListener == null) {
      return;
    }
    try {
      requestListener.accept(record);
    } catch (RuntimeException e) {
      LOG.log(System.Logger.Level.WARNING, "apicache proxy: the request listener threw", e);
    }
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
    private Duration idleTimeout = Duration.ofSeconds(60);
    private Duration upstreamIdleTimeout = Duration.ofSeconds(4);
    private Duration drainTimeout = Duration.ofSeconds(20);
    private int ioThreads = Runtime.getRuntime().availableProcessors();
    private @Nullable Consumer<RequestRecord> requestListener;
    private Consumer<io.netty.channel.Channel> connectionProbe = channel -> { };

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
     * How long a client connection may stay idle between requests, and how long a client may
     * leave a response unread, before it is closed; default 60 s.
     */
    public Builder idleTimeout(Duration value) {
      idleTimeout = positive("idleTimeout", value);
      return this;
    }

    /**
     * How long an upstream connection may wait idle in the pool; default 4 s. Keep it below the
     * upstream's own keep-alive timeout (Node's is 5 s), so the proxy closes an idle connection
     * before the upstream does and never sends a request on one the upstream is closing.
     */
    public Builder upstreamIdleTimeout(Duration value) {
      upstreamIdleTimeout = positive("upstreamIdleTimeout", value);
      return this;
    }

    /** How long {@link #close()} lets requests in progress finish; default 20 s. */
    public Builder drainTimeout(Duration value) {
      requireNonNull(value, "drainTimeout");
      if (value.isNegative()) {
        throw new IllegalArgumentException("drainTimeout must not be negative but was " + value);
      }
      drainTimeout = value;
      return this;
    }

    /**
     * Hears of every request once its response is written, on the thread that wrote it, which for
     * a hit from memory is an event loop: keep it quick and never let it wait (an access log's
     * line to a buffered stream). What it throws is logged and ignored.
     */
    public Builder requestListener(Consumer<RequestRecord> listener) {
      requestListener = requireNonNull(listener, "listener");
      return this;
    }

    /** Sees each client connection's channel as it opens, on its event loop: for tests that watch what is written. */
    Builder connectionProbe(Consumer<io.netty.channel.Channel> probe) {
      connectionProbe = requireNonNull(probe, "probe");
      return this;
    }

    /** The event-loop threads that read and write connections; default one per processor. */
    public Builder ioThreads(int value) {
      if (value < 1) {
        throw new IllegalArgumentException("ioThreads must be at least 1 but was " + value);
      }
      ioThreads = value;
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

    /**
     * Builds the proxy and starts listening.
     *
     * @throws java.io.UncheckedIOException caused by a {@link java.net.BindException} when the
     *     address is in use or not this machine's; nothing is left running then
     */
    public ApiCacheProxy start() {
      ApiCacheProxy proxy = new ApiCacheProxy(this);
      proxy.server.bind(host, port);
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
