package dev.apicache.adapter.javalin;

import static java.util.Objects.requireNonNull;

import dev.apicache.Bytes;
import dev.apicache.CacheEngine;
import dev.apicache.CacheRequest;
import dev.apicache.CacheResponse;
import dev.apicache.Headers;
import dev.apicache.LoopbackOrigin;
import dev.apicache.StoreException;
import io.javalin.config.JavalinState;
import io.javalin.http.Context;
import io.javalin.plugin.Plugin;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Enumeration;
import java.util.Optional;

/**
 * Puts a {@link CacheEngine} in front of a Javalin 7 application's routes.
 *
 * <pre>{@code
 * CacheEngine engine = CacheEngine.builder(PolicyFile.load(path, Map.of()), CaffeineStore.builder().build()).build();
 * Javalin.create(config -> {
 *   config.registerPlugin(ApiCachePlugin.create(engine));
 *   config.routes.get("/api/products", ProductHandlers::list);
 * }).start(8080);
 * }</pre>
 *
 * <p>A before-handler answers cacheable GET and HEAD requests from the engine and skips the
 * route's handler. When the engine needs the origin (a miss, a background revalidation) it asks
 * this same server over loopback with a secret marker header (see {@link LoopbackOrigin}); that
 * request runs the real handler and every before-handler registered ahead of the plugin. Requests
 * the engine bypasses run as usual. Unsafe requests (POST, PUT, PATCH, DELETE) run as the engine's
 * origin call too, so their response reaches the client only after the engine has invalidated what
 * they changed: a client that sees its write succeed never reads the old data afterwards. (Writes
 * with bodies over 8 MiB are not held: they run in place and are reported in an after-handler,
 * which a handler that streams its response may outrun.)
 *
 * <p>Request attributes set by earlier before-handlers (a principal, a tenant) are visible to key
 * functions. Register the plugin after the handlers that set them.
 *
 * <p><b>Note:</b> a miss holds its request thread while the origin call needs another one. Run
 * Javalin on virtual threads ({@code config.concurrency.useVirtualThreads = true}), or give its
 * pool more threads than the misses you expect at once, so that cold-start bursts cannot exhaust
 * it; origin calls time out after 30 s in any case.
 */
public final class ApiCachePlugin extends Plugin<Void> {
  private static final System.Logger LOG = System.getLogger("dev.apicache.adapter.javalin");
  private static final String WRITE_ATTRIBUTE = ApiCachePlugin.class.getName() + ".write";
  /** Unsafe requests with bodies up to this size go through the engine; larger ones report afterwards. */
  private static final long MAX_HELD_WRITE = 8L << 20;

  private final CacheEngine engine;
  private volatile LoopbackOrigin origin;

  private ApiCachePlugin(CacheEngine engine) {
    this.engine = engine;
  }

  /**
   * A plugin serving through {@code engine}, whose origin calls go to the connector each request
   * arrived on. The application owns and closes the engine.
   */
  public static ApiCachePlugin create(CacheEngine engine) {
    return new ApiCachePlugin(requireNonNull(engine, "engine"));
  }

  /**
   * A plugin whose origin calls go through {@code origin}: for servers that listen only on HTTPS,
   * point it at a plain-HTTP connector on loopback.
   */
  public static ApiCachePlugin create(CacheEngine engine, LoopbackOrigin origin) {
    ApiCachePlugin plugin = new ApiCachePlugin(requireNonNull(engine, "engine"));
    plugin.origin = requireNonNull(origin, "origin");
    return plugin;
  }

  @Override
  public void onInitialize(JavalinState state) {
    state.routes.before(this::beforeRequest);
    state.routes.after(this::afterRequest);
  }

  @Override
  public String name() {
    return "apicache";
  }

  private void beforeRequest(Context ctx) {
    HttpServletRequest req = ctx.req();
    LoopbackOrigin own = origin;
    if (own != null && own.isOwnCall(req.getHeader(LoopbackOrigin.MARKER_HEADER))) {
      return; // the engine's own origin call: run the handler untouched
    }
    CacheRequest request = snapshot(ctx);
    Optional<String> bypass = engine.bypassReason(request);
    if (bypass.isPresent() && bypass.get().equals("unsafe-method") && req.getContentLengthLong() <= MAX_HELD_WRITE) {
      // the write runs as the engine's origin call, so its response reaches the client only after the
      // engine has invalidated what it changed, however the handler writes its response
      write(ctx, engine.handle(request.toBuilder().body(Bytes.copyOf(ctx.bodyAsBytes())).build(), origin(req)));
      ctx.skipRemainingHandlers();
      return;
    }
    if (bypass.isPresent()) {
      if (bypass.get().equals("unsafe-method")) {
        ctx.attribute(WRITE_ATTRIBUTE, request); // too large to hold: reported after the handler
      }
      CacheEngine.bypassHeaders(bypass.get()).forEach(ctx::header);
      return;
    }
    write(ctx, engine.handle(request, origin(req)));
    ctx.skipRemainingHandlers();
  }

  private void afterRequest(Context ctx) {
    CacheRequest write = ctx.attribute(WRITE_ATTRIBUTE);
    if (write == null) {
      return;
    }
    HttpServletResponse res = ctx.res();
    Headers.Builder headers = Headers.builder();
    for (String name : res.getHeaderNames()) {
      for (String value : res.getHeaders(name)) {
        headers.add(name, value);
      }
    }
    try {
      engine.onWriteCompleted(write, ctx.statusCode(), headers.build());
    } catch (StoreException e) {
      LOG.log(System.Logger.Level.WARNING, "apicache could not record the invalidation of " + write.method() + " "
          + write.path() + "; cached data may be stale until it expires: " + e.getMessage());
    }
  }

  private LoopbackOrigin origin(HttpServletRequest req) {
    LoopbackOrigin own = origin;
    if (own == null) {
      synchronized (this) {
        own = origin;
        if (own == null) {
          own = LoopbackOrigin.toLocal(req.getScheme(), req.getLocalAddr(), req.getLocalPort())
              .maxHeldBytes(engine.policies().maxBodyBytes()).build();
          origin = own;
        }
      }
    }
    return own;
  }

  static CacheRequest snapshot(Context ctx) {
    HttpServletRequest req = ctx.req();
    String query = req.getQueryString();
    CacheRequest.Builder b = CacheRequest.builder(req.getMethod(),
        query == null ? req.getRequestURI() : req.getRequestURI() + "?" + query);
    Enumeration<String> names = req.getHeaderNames();
    while (names.hasMoreElements()) {
      String name = names.nextElement();
      Enumeration<String> values = req.getHeaders(name);
      while (values.hasMoreElements()) {
        b.header(name, values.nextElement());
      }
    }
    ctx.attributeMap().forEach((name, value) -> {
      if (value != null) {
        b.attribute(name, value);
      }
    });
    return b.build();
  }

  static void write(Context ctx, CacheResponse response) {
    HttpServletResponse res = ctx.res();
    res.setStatus(response.status());
    if (!response.headers().contains("Content-Type")) {
      res.setContentType(null); // Javalin's default type would relabel a 304's representation
    }
    java.util.Set<String> seen = new java.util.HashSet<>();
    response.headers().forEach((name, value) -> {
      if (name.equalsIgnoreCase("Content-Length")) {
        res.setContentLengthLong(Long.parseLong(value));
      } else if (seen.add(name.toLowerCase(java.util.Locale.ROOT))) {
        res.setHeader(name, value); // replaces framework defaults such as Content-Type
      } else {
        res.addHeader(name, value);
      }
    });
    if (!response.body().isEmpty()) {
      try {
        response.body().writeTo(res.getOutputStream());
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
  }
}
