package dev.apicache.adapter.servlet;

import static java.util.Objects.requireNonNull;

import dev.apicache.CacheEngine;
import dev.apicache.CachePolicy;
import dev.apicache.CacheRequest;
import dev.apicache.CacheResponse;
import dev.apicache.LoopbackOrigin;
import dev.apicache.Origin;
import jakarta.servlet.DispatcherType;
import jakarta.servlet.Filter;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletRequest;
import jakarta.servlet.ServletResponse;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.Enumeration;
import java.util.HashSet;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;

/**
 * Puts a {@link CacheEngine} in front of a servlet application: register it for {@code /*}.
 *
 * <p>Cacheable GET and HEAD requests are answered by the engine. When it needs the origin during
 * the request, the filter chain runs in-process and the response is captured (writer or stream,
 * errors, redirects, cookies, character encodings); a body larger than the policy's limit, or an
 * asynchronous servlet, streams straight to the client uncached, with memory bounded by that limit.
 * When the engine needs the origin after the request is over (background revalidation), it asks this
 * server over loopback with a secret marker ({@link LoopbackOrigin}), which this filter lets through.
 * Unsafe requests run through the chain with their response held until the engine has invalidated
 * what they changed, then sent. Requests the engine bypasses run untouched.
 */
public final class ApiCacheFilter implements Filter {
  /** Unsafe responses and bodies without a policy are held up to this size before streaming. */
  private static final int DEFAULT_HOLD_LIMIT = 1 << 20;

  private final CacheEngine engine;
  private volatile LoopbackOrigin loopback;

  private ApiCacheFilter(CacheEngine engine, LoopbackOrigin loopback) {
    this.engine = engine;
    this.loopback = loopback;
  }

  /** A filter serving through {@code engine}; the application owns and closes the engine. */
  public static ApiCacheFilter create(CacheEngine engine) {
    return new ApiCacheFilter(requireNonNull(engine, "engine"), null);
  }

  /** A filter whose after-the-request origin calls go through {@code loopback} (for HTTPS-only servers). */
  public static ApiCacheFilter create(CacheEngine engine, LoopbackOrigin loopback) {
    return new ApiCacheFilter(requireNonNull(engine, "engine"), requireNonNull(loopback, "loopback"));
  }

  @Override
  public void doFilter(ServletRequest req, ServletResponse res, FilterChain chain) throws IOException, ServletException {
    if (!(req instanceof HttpServletRequest request) || !(res instanceof HttpServletResponse response)
        || request.getDispatcherType() != DispatcherType.REQUEST) {
      chain.doFilter(req, res);
      return;
    }
    LoopbackOrigin own = loopback(request);
    if (own.isOwnCall(request.getHeader(LoopbackOrigin.MARKER_HEADER))) {
      chain.doFilter(req, res);
      return;
    }
    CacheRequest snapshot = snapshot(request);
    Optional<String> bypass = engine.bypassReason(snapshot);
    if (bypass.isPresent() && !bypass.get().equals("unsafe-method")) {
      CacheEngine.bypassHeaders(bypass.get()).forEach(response::setHeader);
      chain.doFilter(req, res);
      return;
    }
    InProcessOrigin origin = new InProcessOrigin(request, response, chain, own, holdLimit(snapshot));
    CacheResponse answer;
    try {
      answer = engine.handle(snapshot, origin);
    } finally {
      origin.requestOver();
    }
    if (answer.isStreamed()) {
      return; // the servlet already sent it
    }
    write(response, answer);
  }

  private int holdLimit(CacheRequest request) {
    return engine.policies().match(request.method(), request.path())
        .map(CachePolicy::maxBodyBytes).map(Long::intValue).orElse(DEFAULT_HOLD_LIMIT);
  }

  private LoopbackOrigin loopback(HttpServletRequest request) {
    LoopbackOrigin own = loopback;
    if (own == null) {
      synchronized (this) {
        own = loopback;
        if (own == null) {
          own = LoopbackOrigin.toLocal(request.getScheme(), request.getLocalAddr(), request.getLocalPort())
              .maxHeldBytes(engine.policies().maxBodyBytes()).build();
          loopback = own;
        }
      }
    }
    return own;
  }

  static CacheRequest snapshot(HttpServletRequest request) {
    String query = request.getQueryString();
    CacheRequest.Builder b = CacheRequest.builder(request.getMethod(),
        query == null ? request.getRequestURI() : request.getRequestURI() + "?" + query);
    Enumeration<String> names = request.getHeaderNames();
    while (names.hasMoreElements()) {
      String name = names.nextElement();
      Enumeration<String> values = request.getHeaders(name);
      while (values.hasMoreElements()) {
        b.header(name, values.nextElement());
      }
    }
    Enumeration<String> attributes = request.getAttributeNames();
    while (attributes.hasMoreElements()) {
      String name = attributes.nextElement();
      Object value = request.getAttribute(name);
      if (value != null) {
        b.attribute(name, value);
      }
    }
    return b.build();
  }

  static void write(HttpServletResponse response, CacheResponse answer) throws IOException {
    response.setStatus(answer.status());
    Set<String> seen = new HashSet<>();
    answer.headers().forEach((name, value) -> {
      if (name.equalsIgnoreCase("Content-Length")) {
        response.setContentLengthLong(Long.parseLong(value));
      } else if (seen.add(name.toLowerCase(Locale.ROOT))) {
        response.setHeader(name, value);
      } else {
        response.addHeader(name, value);
      }
    });
    if (!answer.body().isEmpty()) {
      response.setContentLength(answer.body().size());
      answer.body().writeTo(response.getOutputStream());
    }
  }

  /**
   * The origin the engine gets for one request: the filter chain, in-process, while the request is
   * on its thread; the loopback origin afterwards or from any other thread.
   */
  private static final class InProcessOrigin implements Origin {
    private final HttpServletRequest request;
    private final HttpServletResponse response;
    private final FilterChain chain;
    private final LoopbackOrigin loopback;
    private final int holdLimit;
    private final Thread thread = Thread.currentThread();
    private volatile boolean over;

    InProcessOrigin(HttpServletRequest request, HttpServletResponse response, FilterChain chain,
        LoopbackOrigin loopback, int holdLimit) {
      this.request = request;
      this.response = response;
      this.chain = chain;
      this.loopback = loopback;
      this.holdLimit = holdLimit;
    }

    void requestOver() {
      over = true;
    }

    @Override
    public CacheResponse fetch(CacheRequest asked) throws Exception {
      if (over || Thread.currentThread() != thread) {
        return loopback.fetch(asked);
      }
      CapturingResponse captured = new CapturingResponse(response, holdLimit);
      chain.doFilter(new OriginRequest(request, asked, captured), captured);
      return captured.toResponse();
    }
  }
}
