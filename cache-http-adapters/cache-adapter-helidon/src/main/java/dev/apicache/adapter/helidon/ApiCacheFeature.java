package dev.apicache.adapter.helidon;

import dev.apicache.Admission;
import dev.apicache.CacheEngine;
import dev.apicache.CacheRequest;
import dev.apicache.CacheResponse;
import dev.apicache.Headers;
import dev.apicache.Serving;
import dev.apicache.adapter.AdminApi;
import dev.apicache.adapter.CacheFront;
import dev.apicache.adapter.LoopbackOrigin;
import io.helidon.common.Weighted;
import io.helidon.http.Header;
import io.helidon.http.HeaderNames;
import io.helidon.http.Method;
import io.helidon.http.Status;
import io.helidon.http.WritableHeaders;
import io.helidon.webserver.ConnectionContext;
import io.helidon.webserver.http.FilterChain;
import io.helidon.webserver.http.HttpFeature;
import io.helidon.webserver.http.HttpRouting;
import io.helidon.webserver.http.RoutingRequest;
import io.helidon.webserver.http.RoutingResponse;
import io.helidon.webserver.http1.Http1ConnectionListener;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Optional;

/**
 * Puts a {@link CacheEngine} in front of a Helidon SE 4 application's routes.
 *
 * <pre>{@code
 * WebServer.builder()
 *     .routing(routing -> routing
 *         .addFeature(ApiCacheFeature.create(engine))
 *         .get("/api/products", ProductHandlers::list))
 *     .build().start();
 * }</pre>
 *
 * <p>A filter answers cacheable GET and HEAD requests from the engine. A GET miss goes on to its
 * handler in place, on its own thread, with everything the request carries: a stream filter holds
 * what the handler writes and sends the engine's answer instead. A HEAD miss (Helidon routes HEAD
 * only to HEAD handlers) and background revalidation ask this server for the GET over loopback with
 * a secret marker ({@link LoopbackOrigin}), byte for byte as the client sent the request, which the
 * filter lets through to the real handler. Key functions see the request's
 * Helidon {@code Context} as the attribute {@code io.helidon.common.context.Context}. Bypassed requests run as usual; unsafe requests report their outcome to the engine just
 * before their response is sent, so a client that sees its write succeed never reads old data.
 *
 * @since 0.1
 */
public final class ApiCacheFeature implements HttpFeature, Weighted {
  /**
   * Below the default weight (100) of the application's own routing and of features such as
   * security and CORS, so this filter runs after theirs: a cached answer never skips a check.
   */
  private static final double WEIGHT = 10;

  private final CacheFront front;

  private ApiCacheFeature(CacheFront front) {
    this.front = front;
  }

  /** A feature serving through {@code engine}; the application owns and closes the engine. */
  public static ApiCacheFeature create(CacheEngine engine) {
    return new ApiCacheFeature(CacheFront.of(engine));
  }

  /** A feature that also answers {@code admin}'s paths ({@code /_apicache/...} by default) for its token. */
  public static ApiCacheFeature create(CacheEngine engine, AdminApi admin) {
    return new ApiCacheFeature(CacheFront.of(engine).withAdmin(admin));
  }

  /** A feature whose loopback calls go through {@code origin} (for servers that listen only on TLS). */
  public static ApiCacheFeature create(CacheEngine engine, LoopbackOrigin origin) {
    return new ApiCacheFeature(CacheFront.of(engine, origin));
  }

  @Override
  public double weight() {
    return WEIGHT;
  }

  /**
   * An HTTP/1 send listener that drops the {@code Content-Length: 0} Helidon puts on every
   * {@code 304 Not Modified}: RFC 9110 §8.6 allows a 304 only the 200's own length, and a downstream
   * cache that merged the 0 into its copy would truncate it. Add it to the server's HTTP/1 config:
   * {@code WebServer.builder().addProtocol(Http1Config.builder().addSendListener(ApiCacheFeature.notModifiedListener()).build())}.
   */
  public static Http1ConnectionListener notModifiedListener() {
    return new Http1ConnectionListener() {
      // Helidon reports a response's status, then its headers, on the connection's thread
      private final ThreadLocal<Boolean> notModified = ThreadLocal.withInitial(() -> false);

      @Override
      public void status(ConnectionContext ctx, Status status) {
        notModified.set(status.code() == Status.NOT_MODIFIED_304.code());
      }

      @Override
      public void headers(ConnectionContext ctx, io.helidon.http.Headers headers) {
        if (notModified.get() && headers instanceof WritableHeaders<?> writable
            && headers.contentLength().orElse(-1) == 0) {
          writable.remove(HeaderNames.CONTENT_LENGTH);
        }
        notModified.set(false);
      }
    };
  }

  @Override
  public void setup(HttpRouting.Builder routing) {
    routing.addFilter(this::filter);
  }

  private void filter(FilterChain chain, RoutingRequest req, RoutingResponse res) {
    HelidonExchange exchange = new HelidonExchange(req, res);
    if (front.isOwnCall(exchange)) {
      chain.proceed();
      return;
    }
    Optional<CacheResponse> admin = front.admin(exchange);
    if (admin.isPresent()) {
      send(exchange, admin.get());
      return;
    }
    Admission admission = front.admit(exchange);
    if (admission instanceof Admission.Write write) {
      WriteReport.install(res, () -> reportWrite(write.request(), res));
    }
    if (!(admission instanceof Admission.Cacheable request)) {
      chain.proceed();
      return;
    }
    Serving serving = front.serve(request, exchange);
    if (serving instanceof Serving.Fill fill && req.prologue().method() == Method.GET) {
      InPlaceFill.install(res, fill, acceptsEncodings(req));
      try {
        chain.proceed(); // the handler's output completes the fill as its stream closes
      } finally {
        fill.close(); // a handler that never wrote: requests waiting for it call the origin themselves
      }
      return;
    }
    // Helidon routes a HEAD only to HEAD handlers: ask for the GET over loopback
    CacheResponse answer = serving instanceof Serving.Fill fill
        ? fill.run(() -> front.loopback(exchange).fetch(fill.originRequest()))
        : ((Serving.Ready) serving).response();
    send(exchange, answer);
  }

  private static void send(HelidonExchange exchange, CacheResponse answer) {
    try {
      CacheFront.send(exchange, answer);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static boolean acceptsEncodings(RoutingRequest req) {
    return req.headers().value(HeaderNames.ACCEPT_ENCODING).map(v -> !v.trim().equalsIgnoreCase("identity"))
        .orElse(false);
  }

  private Optional<CacheResponse> reportWrite(CacheRequest request, RoutingResponse res) {
    Headers.Builder headers = Headers.builder();
    for (Header h : res.headers()) {
      h.allValues().forEach(v -> headers.add(h.name(), v));
    }
    return front.reportWrite(request, res.status().code(), headers.build());
  }
}
