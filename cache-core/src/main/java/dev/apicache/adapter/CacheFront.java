package dev.apicache.adapter;

import static java.util.Objects.requireNonNull;

import dev.apicache.Admission;
import dev.apicache.BypassReason;
import dev.apicache.CacheEngine;
import dev.apicache.CacheRequest;
import dev.apicache.CacheResponse;
import dev.apicache.Headers;
import dev.apicache.Serving;
import dev.apicache.StoreException;
import dev.apicache.http.HeaderNames;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.jspecify.annotations.Nullable;

/**
 * The engine as a framework adapter drives it, written once for every framework: reads a
 * {@link ServerExchange} into a {@link CacheRequest}, admits it, serves it, runs a miss in place,
 * writes the answer, and reports writes. An adapter binds {@link ServerExchange} and calls these
 * in its framework's own hook.
 *
 * <p>Thread-safe. The loopback origin for background refreshes is built on first use from the
 * first request's local address, unless one was given.
 *
 * @since 0.1
 */
public final class CacheFront {
  private static final System.Logger LOG = System.getLogger("dev.apicache");

  private final CacheEngine engine;
  private final @Nullable AdminApi admin;
  private volatile @Nullable LoopbackOrigin loopback;
  private final AtomicLong lastPendingLog = new AtomicLong();

  private CacheFront(CacheEngine engine, @Nullable LoopbackOrigin loopback, @Nullable AdminApi admin) {
    this.engine = engine;
    this.loopback = loopback;
    this.admin = admin;
  }

  /** A front for {@code engine}, refreshing over loopback to the connector each request arrived on. */
  public static CacheFront of(CacheEngine engine) {
    return new CacheFront(requireNonNull(engine, "engine"), null, null);
  }

  /** A front whose background refreshes go through {@code loopback} (for servers that listen only on TLS). */
  public static CacheFront of(CacheEngine engine, LoopbackOrigin loopback) {
    return new CacheFront(requireNonNull(engine, "engine"), requireNonNull(loopback, "loopback"), null);
  }

  /** This front, also answering {@code admin}'s paths (see {@link #admin}). */
  public CacheFront withAdmin(AdminApi admin) {
    return new CacheFront(engine, loopback, requireNonNull(admin, "admin"));
  }

  /** The engine. */
  public CacheEngine engine() {
    return engine;
  }

  /**
   * The admin API's answer when this front has one and {@code exchange} is for its path; the
   * adapter sends it instead of running the application. Empty otherwise.
   */
  public Optional<CacheResponse> admin(ServerExchange exchange) {
    if (admin == null) {
      return Optional.empty();
    }
    String target = exchange.target();
    int query = target.indexOf('?');
    if (!admin.owns(query < 0 ? target : target.substring(0, query))) {
      return Optional.empty();
    }
    return Optional.of(admin.handle(snapshot(exchange)));
  }

  /** The request as the framework parsed it: method, target, scheme, headers and attributes. */
  public static CacheRequest snapshot(ServerExchange exchange) {
    CacheRequest.Builder b = CacheRequest.builder(exchange.method(), exchange.target()).scheme(exchange.scheme());
    exchange.forEachHeader(b::header);
    exchange.forEachAttribute((name, value) -> {
      if (value != null) {
        b.attribute(name, value);
      }
    });
    return b.build();
  }

  /** Whether {@code exchange} is this front's own loopback call, which runs the application untouched. */
  public boolean isOwnCall(ServerExchange exchange) {
    LoopbackOrigin own = loopback;
    return own != null && exchange.header(LoopbackOrigin.MARKER_HEADER).filter(own::isOwnCall).isPresent();
  }

  /**
   * Admits the request once. For a {@link Admission.Bypass} or {@link Admission.Write} the bypass
   * fields are already added to the response the application is about to send.
   */
  public Admission admit(ServerExchange exchange) {
    loopback(exchange); // so the check for the engine's own calls knows its secret from the first request
    CacheRequest request;
    try {
      request = snapshot(exchange);
    } catch (IllegalArgumentException unholdable) {
      // a field the framework let through but no cache key can hold (an empty name): the request is
      // the application's to answer, as it would be without the cache
      Admission bypass = new Admission.Bypass(CacheRequest.builder(exchange.method(), exchange.target())
          .scheme(exchange.scheme()).build(), BypassReason.INVALID_HEADER);
      engine.fieldsFor(bypass).forEach(exchange::setResponseHeader);
      return bypass;
    }
    Admission admission = engine.admit(request);
    if (!(admission instanceof Admission.Cacheable)) {
      engine.fieldsFor(admission).forEach(exchange::setResponseHeader);
    }
    return admission;
  }

  /** {@link CacheEngine#serve}, with this front's loopback for background refreshes. */
  public Serving serve(Admission.Cacheable request, ServerExchange exchange) {
    return engine.serve(request, loopback(exchange));
  }

  /** The loopback origin: for refreshes, and for misses a framework cannot run in place. */
  public LoopbackOrigin loopback(ServerExchange exchange) {
    LoopbackOrigin own = loopback;
    if (own == null) {
      synchronized (this) {
        own = loopback;
        if (own == null) {
          own = LoopbackOrigin.toLocal(exchange.scheme(), exchange.localAddress(), exchange.localPort())
              .headerDecoding(exchange.headerDecoding())
              .maxHeldBytes(engine.policies().maxBodyBytes()).build();
          loopback = own;
        }
      }
    }
    return own;
  }

  /**
   * Writes {@code response} to {@code exchange}: status, then each header name once with all its
   * values (replacing the framework's defaults), then the body with its length. A streamed response
   * (already sent by the application) is left alone.
   */
  public static void send(ServerExchange exchange, CacheResponse response) throws IOException {
    if (response.content() == CacheResponse.Content.Sent.SENT) {
      return;
    }
    exchange.status(response.status());
    Headers headers = response.headers();
    if (!repeatsAName(headers)) {
      // the usual case, a hit's headers among them: one field per name, handed over as they are
      long length = -1;
      for (int i = 0; i < headers.size(); i++) {
        String name = headers.name(i);
        if (name.equalsIgnoreCase(HeaderNames.CONTENT_LENGTH)) {
          length = parseLength(headers.value(i));
        } else {
          exchange.header(name, List.of(headers.value(i)));
        }
      }
      sendBody(exchange, response, length);
      return;
    }
    Map<String, List<String>> byName = new LinkedHashMap<>();
    Map<String, String> spelling = new LinkedHashMap<>();
    long length = -1;
    for (int i = 0; i < response.headers().size(); i++) {
      String name = response.headers().name(i);
      String value = response.headers().value(i);
      if (name.equalsIgnoreCase(HeaderNames.CONTENT_LENGTH)) {
        length = parseLength(value);
        continue;
      }
      String lower = name.toLowerCase(Locale.ROOT);
      spelling.putIfAbsent(lower, name);
      byName.computeIfAbsent(lower, k -> new ArrayList<>()).add(value);
    }
    byName.forEach((lower, values) -> exchange.header(spelling.getOrDefault(lower, lower), values));
    sendBody(exchange, response, length);
  }

  /** Whether two of {@code headers}' fields share a name (case-insensitively). */
  private static boolean repeatsAName(Headers headers) {
    for (int i = 1; i < headers.size(); i++) {
      String name = headers.name(i);
      for (int j = 0; j < i; j++) {
        if (name.equalsIgnoreCase(headers.name(j))) {
          return true;
        }
      }
    }
    return false;
  }

  private static void sendBody(ServerExchange exchange, CacheResponse response, long length) throws IOException {
    if (response.content() instanceof CacheResponse.Content.Streaming streaming) {
      try (InputStream in = streaming.stream()) {
        exchange.stream(in);
      }
      return;
    }
    exchange.send(response.body(), length >= 0 ? length : response.body().isEmpty() ? -1 : response.body().size());
  }

  private static long parseLength(String value) {
    try {
      return Long.parseLong(value.trim());
    } catch (NumberFormatException e) {
      return -1;
    }
  }

  /**
   * Reports an unsafe request's outcome to the engine ({@link CacheEngine#onWriteCompleted}) before
   * its response leaves. Returns the response to send instead of the application's when the store
   * did not record the invalidation within the engine's patience: a 503 saying so, since readers may
   * still get the old data until the invalidation, retried in the background, is recorded. Empty
   * otherwise, and the application's response goes out untouched.
   */
  public Optional<CacheResponse> reportWrite(CacheRequest write, int status, Headers responseHeaders) {
    try {
      engine.onWriteCompleted(write, status, responseHeaders);
      return Optional.empty();
    } catch (StoreException e) {
      long now = System.nanoTime();
      long last = lastPendingLog.get();
      if ((last == 0 || now - last > TimeUnit.SECONDS.toNanos(10)) && lastPendingLog.compareAndSet(last, now)) {
        LOG.log(System.Logger.Level.WARNING, "apicache could not record the invalidation of " + write.method() + " "
            + write.path() + " and answers writes 503 until it can (logged at most every 10 s): " + e.getMessage());
      }
      return Optional.of(engine.invalidationPending(write, status));
    }
  }
}
