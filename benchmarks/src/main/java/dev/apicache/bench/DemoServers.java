package dev.apicache.bench;

import dev.apicache.Bytes;
import dev.apicache.CacheEngine;
import dev.apicache.CacheRequest;
import dev.apicache.CacheResponse;
import dev.apicache.adapter.helidon.ApiCacheFeature;
import dev.apicache.adapter.javalin.ApiCachePlugin;
import dev.apicache.adapter.servlet.ApiCacheFilter;
import io.helidon.webserver.WebServer;
import io.javalin.Javalin;
import io.javalin.http.HandlerType;
import jakarta.servlet.DispatcherType;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.EnumSet;
import java.util.Enumeration;
import java.util.concurrent.Executors;
import org.eclipse.jetty.ee10.servlet.FilterHolder;
import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.eclipse.jetty.ee10.servlet.ServletHolder;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.thread.QueuedThreadPool;

/**
 * Starts the demo's {@link ProductApi} on one framework, its apicache adapter in front: one
 * catch-all route per framework, translating to the request/response model and back. All three
 * run handlers on virtual threads, so that a miss (which holds its thread while the adapter's
 * loopback origin call is served by another) never starves the server.
 */
final class DemoServers {
  private DemoServers() {}

  /** A started server. */
  interface Server extends AutoCloseable {
    int port();

    @Override
    void close();
  }

  private static Server server(java.util.function.IntSupplier port, Runnable stop) {
    return new Server() {
      @Override
      public int port() {
        return port.getAsInt();
      }

      @Override
      public void close() {
        stop.run();
      }
    };
  }

  static Server start(DemoApi.Framework framework, String host, int port, CacheEngine engine, ProductApi api)
      throws Exception {
    switch (framework) {
      case SERVLET:
        return servlet(host, port, engine, api);
      case HELIDON:
        return helidon(host, port, engine, api);
      default:
        return javalin(host, port, engine, api, null);
    }
  }

  /**
   * Javalin with apicache ({@code engine}), with the replaced layer ({@code seed}, for comparison), or
   * with neither (both null: no cache at all).
   */
  static Server javalin(String host, int port, CacheEngine engine, ProductApi api, SeedLayer seed) {
    Javalin javalin = Javalin.create(config -> {
      config.jetty.host = host;
      config.startup.showJavalinBanner = false;
      config.concurrency.useVirtualThreads = true;
      if (engine != null) {
        config.registerPlugin(ApiCachePlugin.create(engine));
      }
      if (seed != null) {
        config.routes.before(seed::before);
        config.routes.after(seed::after);
      }
      for (HandlerType method : new HandlerType[] {HandlerType.GET, HandlerType.POST, HandlerType.PUT,
          HandlerType.PATCH, HandlerType.DELETE}) {
        config.routes.addHttpHandler(method, "/<path>", ctx -> {
          CacheResponse r = api.handle(request(ctx.req()));
          ctx.status(r.status());
          r.headers().forEach(ctx::header);
          ctx.result(r.body().toByteArray()); // written after the after-handlers, as Javalin handlers usually do
        });
      }
    }).start(port);
    return server(javalin::port, javalin::stop);
  }

  private static Server servlet(String host, int port, CacheEngine engine, ProductApi api) throws Exception {
    QueuedThreadPool threads = new QueuedThreadPool();
    threads.setVirtualThreadsExecutor(Executors.newVirtualThreadPerTaskExecutor());
    org.eclipse.jetty.server.Server jetty = new org.eclipse.jetty.server.Server(threads);
    ServerConnector connector = new ServerConnector(jetty);
    connector.setHost(host);
    connector.setPort(port);
    jetty.addConnector(connector);
    ServletContextHandler context = new ServletContextHandler();
    context.setContextPath("/");
    context.addFilter(new FilterHolder(ApiCacheFilter.create(engine)), "/*", EnumSet.of(DispatcherType.REQUEST));
    context.addServlet(new ServletHolder(new HttpServlet() {
      @Override
      protected void service(HttpServletRequest req, HttpServletResponse res) throws IOException {
        servletRespond(req, res, api);
      }
    }), "/*");
    jetty.setHandler(context);
    jetty.start();
    return server(connector::getLocalPort, () -> {
      try {
        jetty.stop();
      } catch (Exception e) {
        throw new IllegalStateException(e);
      }
    });
  }

  private static Server helidon(String host, int port, CacheEngine engine, ProductApi api) {
    WebServer server = WebServer.builder()
        .host(host)
        .port(port)
        .routing(routing -> routing
            .addFeature(ApiCacheFeature.create(engine))
            .any((req, res) -> {
              String query = req.prologue().query().rawValue();
              String path = req.prologue().uriPath().rawPath();
              CacheRequest.Builder b = CacheRequest.builder(req.prologue().method().text(),
                  query == null || query.isEmpty() ? path : path + "?" + query);
              req.headers().forEach(h -> h.allValues().forEach(v -> b.header(h.name(), v)));
              if (req.content().hasEntity()) {
                b.body(Bytes.copyOf(req.content().as(byte[].class)));
              }
              CacheResponse r = api.handle(b.build());
              res.status(r.status());
              r.headers().forEach(res::header);
              res.send(r.body().toByteArray());
            }))
        .build()
        .start();
    return server(server::port, server::stop);
  }

  /**
   * The ceiling for the demo's server: Javalin on the same settings answering every request with a
   * precomputed product body, with no cache layer and no database, for HTTP throughput comparisons.
   */
  static Server ceiling(String host, int port) {
    byte[] body;
    try {
      body = DemoApi.JSON.writeValueAsBytes(new ProductCatalog(1000, 0).get(1).orElseThrow());
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
    Javalin javalin = Javalin.create(config -> {
      config.jetty.host = host;
      config.startup.showJavalinBanner = false;
      config.concurrency.useVirtualThreads = true;
      config.routes.get("/<path>", ctx -> ctx.contentType("application/json").result(body));
    }).start(port);
    return server(javalin::port, javalin::stop);
  }

  /** The servlet-side translation, for Jetty. */
  private static void servletRespond(HttpServletRequest req, HttpServletResponse res, ProductApi api)
      throws IOException {
    CacheResponse r = api.handle(request(req));
    res.setStatus(r.status());
    r.headers().forEach(res::setHeader);
    if (!r.body().isEmpty()) {
      res.setContentLength(r.body().size());
      r.body().writeTo(res.getOutputStream());
    }
  }

  private static CacheRequest request(HttpServletRequest req) throws IOException {
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
    b.body(Bytes.copyOf(req.getInputStream().readAllBytes()));
    return b.build();
  }
}
