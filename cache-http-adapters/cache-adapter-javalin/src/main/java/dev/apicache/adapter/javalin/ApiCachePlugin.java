package dev.apicache.adapter.javalin;

import dev.apicache.Admission;
import dev.apicache.CacheEngine;
import dev.apicache.Serving;
import dev.apicache.adapter.AdminApi;
import dev.apicache.adapter.CacheFront;
import dev.apicache.adapter.LoopbackOrigin;
import dev.apicache.adapter.servlet.ApiCacheFilter;
import dev.apicache.adapter.servlet.internal.ServletExchange;
import io.javalin.config.JavalinState;
import io.javalin.http.Context;
import io.javalin.plugin.Plugin;
import jakarta.servlet.DispatcherType;
import java.io.IOException;
import java.util.EnumSet;
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
 * A miss lets the request go on to its handler, in place, on its own thread, with everything it
 * carries (body, attributes, principal); the servlet filter the plugin installs captures what the
 * handler and the after-handlers write, stores it and sends the engine's answer. A HEAD miss is the
 * exception: Javalin answers a HEAD without running the GET handler, so the engine asks this same
 * server for the GET over loopback ({@link LoopbackOrigin}), byte for byte as the client sent it.
 * Background revalidation goes over loopback too. Requests the engine bypasses run as usual.
 *
 * <p>Unsafe requests (POST, PUT, PATCH, DELETE) run untouched, body included, under Javalin's own
 * limits only; the servlet filter this plugin installs reports their outcome to the engine just before
 * the first byte of their response leaves, so a client that sees its write succeed never reads the
 * old data afterwards, however the handler writes its response.
 *
 * <p>Request attributes set by the application's before-handlers (a principal, a tenant) are visible
 * to key functions.
 *
 * <p><b>Note:</b> access checks belong in before or beforeMatched handlers (Javalin 7's way): a
 * {@code router.handlerWrapper} access manager wraps only the route's handler, which a cached
 * answer skips.
 *
 * @since 0.1
 */
public final class ApiCachePlugin extends Plugin<Void> {
  private final CacheFront front;

  private ApiCachePlugin(CacheFront front) {
    this.front = front;
  }

  /**
   * A plugin serving through {@code engine}, whose loopback calls go to the connector each request
   * arrived on. The application owns and closes the engine.
   */
  public static ApiCachePlugin create(CacheEngine engine) {
    return new ApiCachePlugin(CacheFront.of(engine));
  }

  /**
   * A plugin that also answers {@code admin}'s paths ({@code /_apicache/...} by default) for its
   * token, in the servlet filter the plugin installs, whatever Javalin routes.
   */
  public static ApiCachePlugin create(CacheEngine engine, AdminApi admin) {
    return new ApiCachePlugin(CacheFront.of(engine).withAdmin(admin));
  }

  /**
   * A plugin whose loopback calls (background refreshes, HEAD misses) go through {@code origin}: for
   * servers that listen only on HTTPS, point it at a plain-HTTP connector on loopback.
   */
  public static ApiCachePlugin create(CacheEngine engine, LoopbackOrigin origin) {
    return new ApiCachePlugin(CacheFront.of(engine, origin));
  }

  @Override
  public void onInitialize(JavalinState state) {
    ApiCacheFilter filter = ApiCacheFilter.forFramework(front);
    state.jetty.modifyServletContextHandler(handler -> {
      FilterHolder holder = new FilterHolder(filter);
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

  private void serve(Context ctx) throws IOException {
    String method = ctx.req().getMethod();
    if (!method.equals("GET") && !method.equals("HEAD")) {
      return; // the filter reported or bypassed it
    }
    ServletExchange exchange = new ServletExchange(ctx.req(), ctx.res());
    if (front.isOwnCall(exchange) || !(front.admit(exchange) instanceof Admission.Cacheable request)) {
      return; // the engine's own call, or a bypass: the handler runs untouched
    }
    Serving serving = front.serve(request, exchange);
    if (serving instanceof Serving.Fill fill) {
      if (method.equals("GET") && ApiCacheFilter.runInPlace(ctx.req(), fill)) {
        return; // the handler runs next; the filter completes the fill with what it writes
      }
      // Javalin answers a HEAD without running the GET handler: ask for the GET over loopback
      CacheFront.send(exchange, fill.run(() -> front.loopback(exchange).fetch(fill.originRequest())));
    } else {
      CacheFront.send(exchange, ((Serving.Ready) serving).response());
    }
    ctx.skipRemainingHandlers();
  }
}
