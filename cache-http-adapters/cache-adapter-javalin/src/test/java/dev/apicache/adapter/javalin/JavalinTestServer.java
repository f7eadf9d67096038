package dev.apicache.adapter.javalin;

import dev.apicache.Bytes;
import dev.apicache.CacheEngine;
import dev.apicache.CacheRequest;
import dev.apicache.adapter.AdminApi;
import dev.apicache.adapter.CacheFront;
import dev.apicache.adapter.servlet.internal.ServletExchange;
import dev.apicache.adapter.testkit.ConformanceApp;
import dev.apicache.adapter.testkit.RunningServer;
import io.javalin.Javalin;
import io.javalin.http.Context;
import io.javalin.http.ForbiddenResponse;
import io.javalin.http.HandlerType;
import io.javalin.security.RouteRole;

/**
 * The suites' application on Javalin 7: the plugin, {@code /guarded} with a route role that a
 * {@code beforeMatched} handler checks (Javalin 7's access control), and a catch-all route serving
 * {@link ConformanceApp}, on virtual threads as the plugin recommends. Published in this module's
 * test-jar so the suites can run on the shared stores elsewhere.
 */
public final class JavalinTestServer {
  private JavalinTestServer() {}

  private enum Role implements RouteRole {
    SESSION
  }

  /** Starts the server on a free loopback port. */
  public static RunningServer start(CacheEngine engine, ConformanceApp app) {
    Javalin javalin = Javalin.create(config -> {
      config.jetty.host = "127.0.0.1";
      config.startup.showJavalinBanner = false;
      config.concurrency.useVirtualThreads = true;
      config.registerPlugin(ApiCachePlugin.create(engine, AdminApi.of(engine, ConformanceApp.ADMIN_TOKEN)));
      config.routes.beforeMatched(ctx -> {
        if (ctx.routeRoles().contains(Role.SESSION) && !"ok".equals(ctx.cookie("session"))) {
          throw new ForbiddenResponse();
        }
      });
      config.routes.before(ctx -> {
        String principal = ctx.header(ConformanceApp.PRINCIPAL_HEADER);
        if (principal != null) {
          ctx.attribute(ConformanceApp.PRINCIPAL_ATTRIBUTE, principal); // as an authentication handler would
        }
      });
      config.routes.get("/guarded", ctx -> serve(ctx, app), Role.SESSION);
      for (HandlerType method : new HandlerType[] {HandlerType.GET, HandlerType.POST, HandlerType.PUT,
          HandlerType.PATCH, HandlerType.DELETE}) {
        config.routes.addHttpHandler(method, "/<path>", ctx -> serve(ctx, app));
      }
    }).start(0);
    return RunningServer.onLoopback(javalin::port, javalin::stop);
  }

  private static void serve(Context ctx, ConformanceApp app) throws Exception {
    ServletExchange exchange = new ServletExchange(ctx.req(), ctx.res());
    CacheRequest request = CacheFront.snapshot(exchange).toBuilder()
        .body(Bytes.copyOf(ctx.bodyInputStream().readAllBytes())).build();
    CacheFront.send(exchange, app.handle(request));
  }
}
