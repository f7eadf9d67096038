package dev.apicache.adapter.helidon;

import static java.util.Objects.requireNonNull;

import dev.apicache.CacheEngine;
import dev.apicache.CacheRequest;
import dev.apicache.CacheResponse;
import dev.apicache.Headers;
import dev.apicache.LoopbackOrigin;
import dev.apicache.StoreException;
import io.helidon.http.Header;
import io.helidon.http.HeaderNames;
import io.helidon.common.Weighted;
import io.helidon.http.Status;
import io.helidon.http.WritableHeaders;
import io.helidon.webserver.ConnectionContext;
import io.helidon.webserver.http.FilterChain;
import io.helidon.webserver.http.HttpFeature;
import io.helidon.webserver.http.HttpRouting;
import io.helidon.webserver.http.RoutingRequest;
import io.helidon.webserver.http.RoutingResponse;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import io.helidon.webserver.http1.Http1ConnectionListener;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
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
 * <p>A filter answers cacheable GET and HEAD requests from the engine. When the engine needs the
 * origin (a miss, a background revalidation after the request is over) it asks this server over
 * loopback with a secret marker ({@link LoopbackOrigin}), which the filter lets through to the real
 * handler. Bypassed requests run as usual; unsafe requests report their outcome to the engine just
 * before their response is sent, so a client that sees its write succeed never reads old data.
 */
public final class ApiCacheFeature implements HttpFeature, Weighted {
  /**
   * Below the default weight (100) of the application's own routing and of features such as
   * security and CORS, so this filter runs after theirs: a cached answer never skips a check.
   */
  private static final double WEIGHT = 10;

  private static final System.Logger LOG = System.getLogger("dev.apicache.adapter.helidon");

  private final CacheEngine engine;
  private volatile LoopbackOrigin origin;

  private ApiCacheFeature(CacheEngine engine, LoopbackOrigin origin) {
    this.engine = engine;
    this.origin = origin;
  }

  /** A feature serving through {@code engine}; the application owns and closes the engine. */
  public static ApiCacheFeature create(CacheEngine engine) {
    return new ApiCacheFeature(requireNonNull(engine, "engine"), null);
  }

  /** A feature whose origin calls go through {@code origin} (for servers that listen only on TLS). */
  public static ApiCacheFeature create(CacheEngine engine, LoopbackOrigin origin) {
    return new ApiCacheFeature(requireNonNull(engine, "engine"), requireNonNull(origin, "origin"));
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
    LoopbackOrigin own = origin(req);
    if (own.isOwnCall(req.headers().value(HeaderNames.create(LoopbackOrigin.MARKER_HEADER)).orElse(null))) {
      chain.proceed();
      return;
    }
    CacheRequest request = snapshot(req);
    Optional<String> bypass = engine.bypassReason(request);
    if (bypass.isPresent()) {
      CacheEngine.bypassHeaders(bypass.get()).forEach(res::header);
      if (bypass.get().equals("unsafe-method")) {
        res.beforeSend(() -> reportWrite(request, res));
      }
      chain.proceed();
      return;
    }
    write(res, engine.handle(request, own));
  }

  private void reportWrite(CacheRequest request, RoutingResponse res) {
    Headers.Builder headers = Headers.builder();
    for (Header h : res.headers()) {
      h.allValues().forEach(v -> headers.add(h.name(), v));
    }
    try {
      engine.onWriteCompleted(request, res.status().code(), headers.build());
    } catch (StoreException e) {
      LOG.log(System.Logger.Level.WARNING, "apicache could not record the invalidation of " + request.method() + " "
          + request.path() + "; cached data may be stale until it expires: " + e.getMessage());
    }
  }

  private LoopbackOrigin origin(RoutingRequest req) {
    LoopbackOrigin own = origin;
    if (own == null) {
      synchronized (this) {
        own = origin;
        if (own == null) {
          String address = req.localPeer().address() instanceof InetSocketAddress a
              ? a.getAddress().getHostAddress() : "127.0.0.1";
          own = LoopbackOrigin.toLocal(req.isSecure() ? "https" : "http", address, req.localPeer().port())
              .headerDecoding(LoopbackOrigin.HeaderDecoding.ASCII_REPLACING)
              .maxHeldBytes(engine.policies().maxBodyBytes()).build();
          origin = own;
        }
      }
    }
    return own;
  }

  static CacheRequest snapshot(ServerRequest req) {
    String query = req.prologue().query().rawValue();
    String path = req.prologue().uriPath().rawPath();
    CacheRequest.Builder b = CacheRequest.builder(req.prologue().method().text(),
        query == null || query.isEmpty() ? path : path + "?" + query).scheme(req.isSecure() ? "https" : "http");
    for (Header h : req.headers()) {
      h.allValues().forEach(v -> b.header(h.name(), v));
    }
    return b.build();
  }

  static void write(ServerResponse res, CacheResponse response) {
    if (response.status() == 304) {
      // Helidon refuses a 304 with a length; notModifiedListener() drops the 0 it sends instead
      response = response.toBuilder().removeHeader("Content-Length").build();
    }
    res.status(response.status());
    Map<String, List<String>> byName = new LinkedHashMap<>();
    response.headers().forEach((name, value) -> {
      if (!name.equalsIgnoreCase("Content-Length")) {
        byName.computeIfAbsent(name.toLowerCase(Locale.ROOT), k -> new ArrayList<>()).add(value);
      }
    });
    byName.forEach((name, values) -> res.header(name, values.toArray(String[]::new)));
    Optional<String> length = response.headers().first("Content-Length");
    if (response.bodyStream().isPresent()) {
      try (java.io.OutputStream out = res.outputStream()) {
        response.writeBodyTo(out); // too large to hold: streamed through
      } catch (java.io.IOException e) {
        throw new java.io.UncheckedIOException(e);
      }
      if (res instanceof RoutingResponse routing) {
        routing.commit(); // a filter's stream is sent only on commit
      }
    } else if (response.body().isEmpty() && length.isPresent()) {
      res.contentLength(Long.parseLong(length.get())); // a HEAD answered from a GET entry
      res.send();
    } else {
      res.send(response.body().toByteArray());
    }
  }
}
