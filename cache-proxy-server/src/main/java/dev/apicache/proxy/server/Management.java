package dev.apicache.proxy.server;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.BindException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Executors;
import java.util.function.BooleanSupplier;

/**
 * The endpoints a supervisor and a metrics scraper use, on a port of their own so that they never
 * shadow a path of the upstream: {@code /health/live} (200 while the process runs),
 * {@code /health/ready} (200 while the proxy takes requests, 503 once it drains) and
 * {@code /metrics} (the Prometheus text format).
 */
final class Management implements AutoCloseable {
  private final HttpServer server;

  private Management(HttpServer server) {
    this.server = server;
  }

  /**
   * Listens on {@code host:port}.
   *
   * @throws UncheckedIOException caused by a {@link BindException} when the address is taken
   */
  static Management start(String host, int port, BooleanSupplier ready, PrometheusMeterRegistry registry) {
    HttpServer server;
    try {
      server = HttpServer.create(new InetSocketAddress(host, port), 64);
    } catch (IOException e) {
      BindException bind = new BindException("apicache proxy cannot listen on " + host + ":" + port
          + " for its health and metrics endpoints: " + e.getMessage());
      bind.initCause(e);
      throw new UncheckedIOException(bind.getMessage(), bind);
    }
    server.createContext("/health/live", x -> answer(x, 200, "text/plain", "live\n"));
    server.createContext("/health/ready", x -> {
      boolean ok = ready.getAsBoolean();
      answer(x, ok ? 200 : 503, "text/plain", ok ? "ready\n" : "draining\n");
    });
    server.createContext("/metrics", x -> answer(x, 200, "text/plain; version=0.0.4; charset=utf-8",
        registry.scrape()));
    server.createContext("/", x -> answer(x, 404, "text/plain", "/health/live, /health/ready or /metrics\n"));
    server.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
    server.start();
    return new Management(server);
  }

  int port() {
    return server.getAddress().getPort();
  }

  private static void answer(HttpExchange x, int status, String type, String body) throws IOException {
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    x.getResponseHeaders().set("Content-Type", type);
    x.getResponseHeaders().set("Cache-Control", "no-store");
    boolean head = x.getRequestMethod().equals("HEAD");
    x.sendResponseHeaders(status, head ? -1 : bytes.length);
    if (!head) {
      try (OutputStream out = x.getResponseBody()) {
        out.write(bytes);
      }
    }
    x.close();
  }

  @Override
  public void close() {
    server.stop(0);
  }
}
