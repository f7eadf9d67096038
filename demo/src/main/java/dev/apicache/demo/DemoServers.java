package dev.apicache.demo;

import dev.apicache.Bytes;
import dev.apicache.CacheEngine;
import dev.apicache.store.caffeine.CaffeineStore;
import dev.apicache.CacheRequest;
import dev.apicache.CacheResponse;
import dev.apicache.adapter.AdminApi;
import dev.apicache.adapter.helidon.ApiCacheFeature;
import dev.apicache.adapter.javalin.ApiCachePlugin;
import dev.apicache.adapter.servlet.ApiCacheFilter;
import io.helidon.http.HeaderNames;
import io.helidon.webserver.WebServer;
import io.helidon.webserver.WebServerConfig;
import io.helidon.webserver.http1.Http1Config;
import io.javalin.Javalin;
import io.javalin.http.HandlerType;
import jakarta.servlet.DispatcherType;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.function.IntSupplier;
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

    /** The framework actually serving: what banners and reports name. */
    DemoApi.Framework framework();

    @Override
    void close();
  }

  private static Server server(DemoApi.Framework framework, IntSupplier port, Runnable stop) {
    return new Server() {
      @Override
      public int port() {
        return port.getAsInt();
      }

      @Override
      public DemoApi.Framework framework() {
        return framework;
      }

      @Override
      public void close() {
        stop.run();
      }
    };
  }

  /**
   * The API on {@code framework}, behind apicache over {@code engine} (with {@code admin} mounted when
   * it is not null), or behind nothing when {@code engine} is null.
   */
  static Server start(DemoApi.Framework framework, String host, int port, CacheEngine engine, AdminApi admin,
      ProductApi api) throws Exception {
    switch (framework) {
      case SERVLET:
        return servlet(host, port, engine, admin, api);
      case HELIDON:
        return helidon(host, port, engine, admin, api);
      default:
        return javalin(host, port, engine, admin, api, null);
    }
  }

  /**
   * Javalin with apicache ({@code engine}), with the replaced layer ({@code seed}, for comparison), or
   * with neither (both null: no cache at all).
   */
  static Server javalin(String host, int port, CacheEngine engine, AdminApi admin, ProductApi api, SeedLayer seed) {
    Javalin javalin = Javalin.create(config -> {
      config.jetty.host = host;
      config.startup.showJavalinBanner = false;
      config.concurrency.useVirtualThreads = true;
      if (engine != null) {
        config.registerPlugin(admin == null ? ApiCachePlugin.create(engine) : ApiCachePlugin.create(engine, admin));
      }
      if (seed != null) {
        config.routes.before(seed::before);
        config.routes.after(seed::after);
      }
      for (HandlerType method : new HandlerType[] {HandlerType.GET, HandlerType.POST, HandlerType.PUT,
          HandlerType.PATCH, HandlerType.DELETE}) {
        config.routes.addHttpHandler(method, "/<path>", ctx -> {
          CacheResponse r = api.handle(request(ctx.req(), ctx.bodyInputStream()));
          ctx.status(r.status());
          r.headers().forEach(ctx::header);
          ctx.result(r.body().toByteArray()); // written after the after-handlers, as Javalin handlers usually do
        });
      }
    }).start(port);
    return server(DemoApi.Framework.JAVALIN, javalin::port, javalin::stop);
  }

  private static Server servlet(String host, int port, CacheEngine engine, AdminApi admin, ProductApi api)
      throws Exception {
    return servletServer(host, port, new HttpServlet() {
      @Override
      protected void service(HttpServletRequest req, HttpServletResponse res) throws IOException {
        servletRespond(req, res, api);
      }
    }, engine == null ? null : admin == null ? ApiCacheFilter.create(engine) : ApiCacheFilter.create(engine, admin));
  }

  /** Jetty on virtual threads with {@code servlet} for every path, behind {@code filter} when there is one. */
  private static Server servletServer(String host, int port, HttpServlet servlet, ApiCacheFilter filter)
      throws Exception {
    QueuedThreadPool threads = new QueuedThreadPool();
    threads.setVirtualThreadsExecutor(Executors.newVirtualThreadPerTaskExecutor());
    org.eclipse.jetty.server.Server jetty = new org.eclipse.jetty.server.Server(threads);
    ServerConnector connector = new ServerConnector(jetty);
    connector.setHost(host);
    connector.setPort(port);
    jetty.addConnector(connector);
    ServletContextHandler context = new ServletContextHandler();
    context.setContextPath("/");
    if (filter != null) {
      context.addFilter(new FilterHolder(filter), "/*", EnumSet.of(DispatcherType.REQUEST));
    }
    context.addServlet(new ServletHolder(servlet), "/*");
    jetty.setHandler(context);
    jetty.start();
    return server(DemoApi.Framework.SERVLET, connector::getLocalPort, () -> {
      try {
        jetty.stop();
      } catch (Exception e) {
        throw new IllegalStateException(e);
      }
    });
  }

  private static Server helidon(String host, int port, CacheEngine engine, AdminApi admin, ProductApi api) {
    WebServer server = helidonServer(host, port)
        .routing(routing -> {
          if (engine != null) {
            routing.addFeature(admin == null ? ApiCacheFeature.create(engine) : ApiCacheFeature.create(engine, admin));
          }
          routing.any((req, res) -> {
            String query = req.prologue().query().rawValue();
            String path = req.prologue().uriPath().rawPath();
            CacheRequest.Builder request = CacheRequest.builder(req.prologue().method().text(),
                query == null || query.isEmpty() ? path : path + "?" + query).scheme(req.isSecure() ? "https" : "http");
            req.headers().forEach(h -> h.allValues().forEach(v -> request.header(h.name(), v)));
            if (req.content().hasEntity()) {
              request.body(Bytes.wrap(req.content().as(byte[].class)));
            }
            CacheResponse r = api.handle(request.build());
            res.status(r.status());
            byName(r).forEach((name, values) -> res.header(name, values.toArray(String[]::new)));
            res.send(r.body().toByteArray());
          });
        })
        .build()
        .start();
    return server(DemoApi.Framework.HELIDON, server::port, server::stop);
  }

  /** Helidon on {@code host:port}, its HTTP/1 config keeping the default name so its defaults stay. */
  private static WebServerConfig.Builder helidonServer(String host, int port) {
    return WebServer.builder()
        .host(host)
        .port(port)
        .addProtocol(Http1Config.builder().name("http_1_1").addSendListener(ApiCacheFeature.notModifiedListener())
            .build());
  }

  /**
   * What a ceiling server answers: the demo's hit for {@code GET /api/products?category=books&page=1}
   * (1.3 KB of JSON), the URL the throughput scripts measure, headers and all, taken once from a real
   * engine. A ceiling sends these same bytes, so that what it leaves out is the cache's work and
   * nothing else.
   */
  static CacheResponse ceilingResponse() {
    try (CacheEngine engine = CacheEngine.builder(DemoApi.policies(java.util.Optional.empty()),
        CaffeineStore.builder().build()).build()) {
      ProductApi api = new ProductApi(new MemoryCatalog(1000));
      CacheRequest r = CacheRequest.builder("GET", "/api/products?category=books&page=1").header("Host", "127.0.0.1")
          .build();
      engine.handle(r, api::handle);
      CacheResponse hit = engine.handle(r, api::handle);
      if (!hit.headers().first("X-Cache").orElse("").equals("HIT")) {
        throw new IllegalStateException("the demo's policies do not cache the measured URL: " + hit.headers());
      }
      return hit;
    }
  }

  /**
   * The ceiling for {@code framework}: the same server settings answering every request with the
   * {@linkplain #ceilingResponse demo's hit}, precomputed, with no cache layer and no database, written
   * as its apicache adapter writes a hit, for HTTP throughput comparisons.
   */
  static Server ceiling(DemoApi.Framework framework, String host, int port) throws Exception {
    CacheResponse hit = ceilingResponse();
    byte[] body = hit.body().toByteArray();
    Map<String, List<String>> fields = byName(hit);
    switch (framework) {
      case SERVLET: {
        return servletServer(host, port, new HttpServlet() {
          @Override
          protected void service(HttpServletRequest req, HttpServletResponse res) throws IOException {
            writeBytes(res, fields, body);
          }
        }, null);
      }
      case HELIDON: {
        WebServer server = helidonServer(host, port)
            .routing(routing -> routing.any((req, res) -> {
              fields.forEach((name, values) -> res.header(name, values.toArray(String[]::new)));
              res.send(body);
            }))
            .build()
            .start();
        return server(DemoApi.Framework.HELIDON, server::port, server::stop);
      }
      default: {
        Javalin javalin = Javalin.create(config -> {
          config.jetty.host = host;
          config.startup.showJavalinBanner = false;
          config.concurrency.useVirtualThreads = true;
          // written to the servlet response directly, as the plugin writes a hit: no result pipeline
          config.routes.before(ctx -> {
            writeBytes(ctx.res(), fields, body);
            ctx.skipRemainingHandlers();
          });
          config.routes.get("/<path>", ctx -> { });
        }).start(port);
        return server(DemoApi.Framework.JAVALIN, javalin::port, javalin::stop);
      }
    }
  }

  private static void writeBytes(HttpServletResponse res, Map<String, List<String>> fields, byte[] body)
      throws IOException {
    res.setStatus(200);
    fields.forEach((name, values) -> values.forEach(v -> res.addHeader(name, v)));
    res.setContentLength(body.length);
    res.getOutputStream().write(body);
  }

  /** The servlet-side translation, for Jetty. */
  private static void servletRespond(HttpServletRequest req, HttpServletResponse res, ProductApi api)
      throws IOException {
    CacheResponse r = api.handle(request(req, req.getInputStream()));
    res.setStatus(r.status());
    byName(r).forEach((name, values) -> values.forEach(v -> res.addHeader(name, v)));
    byte[] body = r.body().toByteArray();
    res.setContentLength(body.length);
    res.getOutputStream().write(body);
  }

  /** The demo API's view of a servlet request: method, target as sent, scheme, headers and body. */
  private static CacheRequest request(HttpServletRequest req, InputStream body) throws IOException {
    String query = req.getQueryString();
    CacheRequest.Builder b = CacheRequest.builder(req.getMethod(),
        query == null ? req.getRequestURI() : req.getRequestURI() + "?" + query).scheme(req.getScheme());
    for (String name : Collections.list(req.getHeaderNames())) {
      Collections.list(req.getHeaders(name)).forEach(v -> b.header(name, v));
    }
    return b.body(Bytes.wrap(body.readAllBytes())).build();
  }

  /** A response's fields grouped by name, Content-Length left to the server. */
  private static Map<String, List<String>> byName(CacheResponse r) {
    Map<String, List<String>> out = new LinkedHashMap<>();
    r.headers().forEach((name, value) -> {
      if (!name.equalsIgnoreCase("Content-Length")) {
        out.computeIfAbsent(name, n -> new ArrayList<>()).add(value);
      }
    });
    return out;
  }
}
