package dev.apicache.adapter.servlet;

import dev.apicache.Bytes;
import dev.apicache.CacheEngine;
import dev.apicache.adapter.AdminApi;
import dev.apicache.adapter.CacheFront;
import dev.apicache.adapter.servlet.internal.ServletExchange;
import dev.apicache.adapter.testkit.ConformanceApp;
import dev.apicache.adapter.testkit.RunningServer;
import jakarta.servlet.Filter;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletRequest;
import jakarta.servlet.ServletResponse;
import jakarta.servlet.http.Cookie;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.List;
import java.util.Map;

/**
 * The suites' application on embedded Jetty: a security filter guarding {@code /guarded}, then the
 * {@link ApiCacheFilter}, then one servlet serving {@link ConformanceApp}. Published in this module's
 * test-jar so the suites can run on the shared stores elsewhere.
 */
public final class ServletTestServer {
  private ServletTestServer() {}

  /** Starts the server on a free loopback port. */
  public static RunningServer start(CacheEngine engine, ConformanceApp app) throws Exception {
    HttpServlet servlet = new HttpServlet() {
      @Override
      protected void service(HttpServletRequest req, HttpServletResponse res) throws IOException {
        try {
          ServletExchange exchange = new ServletExchange(req, res);
          CacheFront.send(exchange, app.handle(CacheFront.snapshot(exchange).toBuilder()
              .body(Bytes.copyOf(req.getInputStream().readAllBytes())).build()));
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          res.sendError(503);
        }
      }
    };
    return JettyServer.start(List.of(new SessionGuard(), ApiCacheFilter.create(engine, AdminApi.of(engine, ConformanceApp.ADMIN_TOKEN))), Map.of("/*", servlet));
  }

  /** What a security filter registered ahead of the cache does: {@code /guarded} needs a session. */
  static final class SessionGuard implements Filter {
    @Override
    public void doFilter(ServletRequest req, ServletResponse res, FilterChain chain) throws IOException, ServletException {
      HttpServletRequest request = (HttpServletRequest) req;
      if (request.getRequestURI().startsWith("/guarded") && !hasSession(request)) {
        ((HttpServletResponse) res).sendError(403);
        return;
      }
      String principal = request.getHeader(ConformanceApp.PRINCIPAL_HEADER);
      if (principal != null) {
        request.setAttribute(ConformanceApp.PRINCIPAL_ATTRIBUTE, principal);
      }
      chain.doFilter(req, res);
    }

    private static boolean hasSession(HttpServletRequest request) {
      Cookie[] cookies = request.getCookies();
      if (cookies != null) {
        for (Cookie c : cookies) {
          if (c.getName().equals("session") && c.getValue().equals("ok")) {
            return true;
          }
        }
      }
      return false;
    }
  }
}
