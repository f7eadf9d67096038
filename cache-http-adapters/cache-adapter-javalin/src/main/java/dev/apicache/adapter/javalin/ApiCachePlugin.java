package dev.apicache.adapter.javalin;

import static java.util.Objects.requireNonNull;

import dev.apicache.CacheEngine;
import dev.apicache.CacheRequest;
import dev.apicache.CacheResponse;
import dev.apicache.LoopbackOrigin;
import dev.apicache.adapter.servlet.ApiCacheFilter;
import io.javalin.config.JavalinState;
import io.javalin.http.Context;
import io.javalin.plugin.Plugin;
import jakarta.servlet.DispatcherType;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.EnumSet;
import java.util.Enumeration;
import java.util.HashSet;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import org.eclipse.jetty.ee10.servlet.FilterHolder;

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
 * <p>Cacheable GET and HEAD requests are answered from a {@code beforeMatched} handler the plugin
 * adds once the application's configuration is complete, so it runs after every {@code before} and
 * {@code beforeMatched} handler of the application, where Javalin 7 checks route roles: a cached
 * answer never skips an access check, and a URL no route matches is never answered by the cache.
 * When the engine needs the origin (a miss, a background revalidation) it asks this same server over
 * loopback with a secret marker header ({@link LoopbackOrigin}), byte for byte as the client sent
 * the request; that request runs every handler, the real one included. Requests the engine bypasses
 * run as usual.
 *
 * <p>Unsafe requests (POST, PUT, PATCH, DELETE) run untouched, body included, under Javalin's own
 * limits only; the servlet filter this plugin installs reports their outcome to the engine just before
 * the first byte of their response leaves, so a client that sees its write succeed never reads the
 * old data afterwards, however the handler writes its response.
 *
 * <p>Request attributes set by the application's before-handlers (a principal, a tenant) are visible
 * to key functions.
 *
 * <p><b>Note:</b> a miss holds its request thread while the origin call needs another one. Run
 * Javalin on virtual threads ({@code config.concurrency.useVirtualThreads = true}), or give its
 * pool more threads than the misses you expect at once, so that cold-start bursts cannot exhaust
 * it; origin calls time out after 30 s in any case. Access checks belong in before or beforeMatched
 * handlers (Javalin 7's way): a {@code router.handlerWrapper} access manager wraps only the route's
 * handler, which a cached answer skips.
 */
public final class ApiCachePlugin extends Plugin<Void> {
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
    ApiCacheFilter writes = ApiCacheFilter.reportingWrites(engine);
    state.jetty.modifyServletContextHandler(handler -> {
      FilterHolder holder = new FilterHolder(writes);
      holder.setAsyncSupported(true);
      handler.addFilter(holder, "/*", EnumSet.of(DispatcherType.REQUEST));
    });
  }

  @Override
  public void onStart(JavalinState state) {
    // added after the application's own configuration, so it runs after its beforeMatched handlers
    state.routes.beforeMatched(this::serve);
  }

  @Override
  public String name() {
    return "apicache";
  }

  private void serve(Context ctx) {
    HttpServletRequest req = ctx.req();
    String method = req.getMethod();
    if (!method.equals("GET") && !method.equals("HEAD")) {
      return;
    }
    LoopbackOrigin own = origin;
    if (own != null && own.isOwnCall(req.getHeader(LoopbackOrigin.MARKER_HEADER))) {
      return; // the engine's own origin call: run the handler untouched
    }
    CacheRequest request = snapshot(ctx);
    Optional<String> bypass = engine.bypassReason(request);
    if (bypass.isPresent()) {
      CacheEngine.bypassHeaders(bypass.get()).forEach(ctx::header);
      return;
    }
    write(ctx, engine.handle(request, origin(req)));
    ctx.skipRemainingHandlers();
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
        query == null ? req.getRequestURI() : req.getRequestURI() + "?" + query).scheme(req.getScheme());
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
    Set<String> seen = new HashSet<>();
    response.headers().forEach((name, value) -> {
      if (name.equalsIgnoreCase("Content-Length")) {
        res.setContentLengthLong(Long.parseLong(value));
      } else if (seen.add(name.toLowerCase(Locale.ROOT))) {
        res.setHeader(name, value); // replaces framework defaults such as Content-Type
      } else {
        res.addHeader(name, value);
      }
    });
    if (response.bodyStream().isPresent() || !response.body().isEmpty()) {
      try {
        response.writeBodyTo(res.getOutputStream());
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
  }
}
