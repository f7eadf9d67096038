package dev.apicache.adapter.servlet;

import static java.util.Objects.requireNonNull;

import dev.apicache.CacheEngine;
import dev.apicache.CachePolicy;
import dev.apicache.CacheRequest;
import dev.apicache.CacheResponse;
import dev.apicache.Headers;
import dev.apicache.LoopbackOrigin;
import dev.apicache.Origin;
import dev.apicache.StoreException;
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
 * Puts a {@link CacheEngine} in front of a servlet application: register it for {@code /*}, after
 * the filters that authenticate and authorise (a cached answer skips only what follows this
 * filter).
 *
 * <p>Cacheable GET and HEAD requests are answered by the engine. When it needs the origin during
 * the request, the filter chain runs in-process and the response is captured (writer or stream,
 * errors, redirects, cookies, character encodings); a body larger than the policy's limit, or an
 * asynchronous servlet, streams straight to the client uncached, with memory bounded by that limit.
 * When the engine needs the origin after the request is over (background revalidation), it asks this
 * server over loopback with a secret marker ({@link LoopbackOrigin}), which this filter lets through.
 * Unsafe requests run through the chain untouched, body and response alike; their outcome reaches
 * the engine just before the first byte of their response can leave, so a client that sees its write
 * succeed never reads the old data afterwards. Requests the engine bypasses run untouched.
 */
public final class ApiCacheFilter implements Filter {
  private static final Set<String> WRITES = Set.of("POST", "PUT", "PATCH", "DELETE");
  private static final System.Logger LOG = System.getLogger("dev.apicache.adapter.servlet");

  private final CacheEngine engine;
  private final boolean writesOnly;
  private volatile LoopbackOrigin loopback;

  private ApiCacheFilter(CacheEngine engine, LoopbackOrigin loopback, boolean writesOnly) {
    this.engine = engine;
    this.loopback = loopback;
    this.writesOnly = writesOnly;
  }

  /** A filter serving through {@code engine}; the application owns and closes the engine. */
  public static ApiCacheFilter create(CacheEngine engine) {
    return new ApiCacheFilter(requireNonNull(engine, "engine"), null, false);
  }

  /** A filter whose after-the-request origin calls go through {@code loopback} (for HTTPS-only servers). */
  public static ApiCacheFilter create(CacheEngine engine, LoopbackOrigin loopback) {
    return new ApiCacheFilter(requireNonNull(engine, "engine"), requireNonNull(loopback, "loopback"), false);
  }

  /**
   * A filter that only reports unsafe requests to {@code engine}, just before their responses leave,
   * and lets every other request through untouched: for a framework on a servlet container that
   * answers reads itself, later in its own pipeline (the Javalin plugin installs one).
   */
  public static ApiCacheFilter reportingWrites(CacheEngine engine) {
    return new ApiCacheFilter(requireNonNull(engine, "engine"), null, true);
  }

  @Override
  public void doFilter(ServletRequest req, ServletResponse res, FilterChain chain) throws IOException, ServletException {
    if (!(req instanceof HttpServletRequest request) || !(res instanceof HttpServletResponse response)
        || request.getDispatcherType() != DispatcherType.REQUEST) {
      chain.doFilter(req, res);
      return;
    }
    if (WRITES.contains(request.getMethod())) {
      reportWrite(request, response, chain);
      return;
    }
    if (writesOnly) {
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
    if (bypass.isPresent()) {
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

  /** Runs an unsafe request untouched and reports it to the engine before its response leaves. */
  private void reportWrite(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
      throws IOException, ServletException {
    CacheRequest snapshot = snapshot(request);
    CacheEngine.bypassHeaders("unsafe-method").forEach(response::setHeader);
    CommitHookResponse[] hooked = new CommitHookResponse[1];
    hooked[0] = new CommitHookResponse(response, () -> report(snapshot, hooked[0]));
    chain.doFilter(request, hooked[0]);
    if (request.isAsyncStarted()) {
      // the response completes later: its first byte still fires the hook; one that sends no bytes
      // is reported when it completes, just after the container sent its head
      request.getAsyncContext().addListener(new jakarta.servlet.AsyncListener() {
        @Override
        public void onComplete(jakarta.servlet.AsyncEvent event) {
          hooked[0].fire();
        }

        @Override
        public void onTimeout(jakarta.servlet.AsyncEvent event) {
        }

        @Override
        public void onError(jakarta.servlet.AsyncEvent event) {
        }

        @Override
        public void onStartAsync(jakarta.servlet.AsyncEvent event) {
        }
      });
      return;
    }
    hooked[0].fire(); // the container commits only after the chain returns
  }

  private void report(CacheRequest write, HttpServletResponse response) {
    Headers.Builder headers = Headers.builder();
    for (String name : response.getHeaderNames()) {
      for (String value : response.getHeaders(name)) {
        headers.add(name, value);
      }
    }
    try {
      engine.onWriteCompleted(write, response.getStatus(), headers.build());
    } catch (StoreException e) {
      LOG.log(System.Logger.Level.WARNING, "apicache could not record the invalidation of " + write.method() + " "
          + write.path() + "; cached data may be stale until it expires: " + e.getMessage());
    }
  }

  private int holdLimit(CacheRequest request) {
    return engine.policies().match(request.method(), request.path())
        .map(CachePolicy::maxBodyBytes).map(Long::intValue).orElse((int) CachePolicy.DEFAULT_MAX_BODY_BYTES);
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
        query == null ? request.getRequestURI() : request.getRequestURI() + "?" + query).scheme(request.getScheme());
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
