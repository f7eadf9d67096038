package dev.apicache.adapter.servlet;

import static java.util.Objects.requireNonNull;

import dev.apicache.Admission;
import dev.apicache.CacheEngine;
import dev.apicache.CacheRequest;
import dev.apicache.CacheResponse;
import dev.apicache.Headers;
import dev.apicache.Serving;
import dev.apicache.adapter.AdminApi;
import dev.apicache.adapter.CacheFront;
import dev.apicache.adapter.LoopbackOrigin;
import dev.apicache.adapter.servlet.internal.ServletExchange;
import jakarta.servlet.AsyncEvent;
import jakarta.servlet.AsyncListener;
import jakarta.servlet.DispatcherType;
import jakarta.servlet.Filter;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletRequest;
import jakarta.servlet.ServletRequestWrapper;
import jakarta.servlet.ServletResponse;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletRequestWrapper;
import jakarta.servlet.http.HttpServletResponse;
import jakarta.servlet.http.HttpServletResponseWrapper;
import java.io.IOException;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * Puts a {@link CacheEngine} in front of a servlet application: register it for {@code /*}, after
 * the filters that authenticate and authorise (a cached answer skips only what follows this
 * filter).
 *
 * <p>Cacheable GET and HEAD requests are answered by the engine. A miss runs the rest of the filter
 * chain in place, on the request's own thread, and the response is captured (writer or stream,
 * errors, redirects, cookies, character encodings); a body larger than the policy's limit, or an
 * asynchronous servlet, streams straight to the client uncached, with memory bounded by that limit.
 * Background revalidation, after the request is over, asks this server over loopback with a secret
 * marker ({@link LoopbackOrigin}), which this filter lets through. Unsafe requests run through the
 * chain untouched, body and response alike; their outcome reaches the engine just before the first
 * byte of their response can leave, so a client that sees its write succeed never reads the old
 * data afterwards. Requests the engine bypasses run untouched.
 *
 * @since 0.1
 */
public final class ApiCacheFilter implements Filter {
  /**
   * The request attribute naming the policy that answered or filled a request: its id, the route
   * as written. Unset for requests no policy matched. For metrics and tracing tags.
   */
  public static final String POLICY_ATTRIBUTE = "dev.apicache.policy";

  /**
   * The request attribute saying what the cache did, one of a few fixed values: {@code HIT},
   * {@code STALE} and {@code MISS} (as {@code X-Cache} says, or {@code HIT} and {@code MISS} alone
   * when that field is turned off), {@code BYPASS} for a request the cache stayed out of, and
   * {@code WRITE} for an unsafe request it reported, {@code REVALIDATION} for the cache's own
   * background refresh. Unset for requests it never saw.
   */
  public static final String OUTCOME_ATTRIBUTE = "dev.apicache.outcome";

  private final CacheFront front;
  private final boolean framework;

  private ApiCacheFilter(CacheFront front, boolean framework) {
    this.front = front;
    this.framework = framework;
  }

  /** A filter serving through {@code engine}; the application owns and closes the engine. */
  public static ApiCacheFilter create(CacheEngine engine) {
    return new ApiCacheFilter(CacheFront.of(engine), false);
  }

  /**
   * A filter that also answers {@code admin}'s paths ({@code /_apicache/...} by default), for its
   * token: after the filters registered before this one, such as the application's security.
   */
  public static ApiCacheFilter create(CacheEngine engine, AdminApi admin) {
    return new ApiCacheFilter(CacheFront.of(engine).withAdmin(admin), false);
  }

  /** A filter whose background refreshes go through {@code loopback} (for HTTPS-only servers). */
  public static ApiCacheFilter create(CacheEngine engine, LoopbackOrigin loopback) {
    return new ApiCacheFilter(CacheFront.of(engine, loopback), false);
  }

  /**
   * The filter for a framework on a servlet container that answers reads itself, later in its own
   * pipeline (the Javalin plugin installs one): it reports unsafe requests to the engine just before
   * their responses leave, and lets the framework run a miss in place with {@link #runInPlace}; every
   * other request passes untouched.
   */
  public static ApiCacheFilter forFramework(CacheFront front) {
    return new ApiCacheFilter(requireNonNull(front, "front"), true);
  }

  /**
   * From a framework handler that runs inside a {@link #forFramework} filter: makes the rest of this
   * request's pipeline the origin call of {@code fill}. What the application's handler writes from
   * here on is captured; when the pipeline returns, the filter completes the fill and sends its
   * answer. Returns false, leaving the fill untouched, when no such filter wraps {@code request}.
   */
  public static boolean runInPlace(HttpServletRequest request, Serving.Fill fill) {
    requireNonNull(fill, "fill");
    ServletRequest r = request;
    while (!(r instanceof Slot) && r instanceof ServletRequestWrapper w) {
      r = w.getRequest();
    }
    if (!(r instanceof Slot slot) || slot.started != null) {
      return false;
    }
    slot.start(fill);
    return true;
  }

  @Override
  public void doFilter(ServletRequest req, ServletResponse res, FilterChain chain) throws IOException, ServletException {
    if (!(req instanceof HttpServletRequest request) || !(res instanceof HttpServletResponse response)
        || request.getDispatcherType() != DispatcherType.REQUEST) {
      chain.doFilter(req, res);
      return;
    }
    ServletExchange exchange = new ServletExchange(request, response);
    if (front.isOwnCall(exchange)) {
      request.setAttribute(OUTCOME_ATTRIBUTE, "REVALIDATION");
      chain.doFilter(req, res);
      return;
    }
    Optional<CacheResponse> admin = front.admin(exchange);
    if (admin.isPresent()) {
      CacheFront.send(exchange, admin.get());
      return;
    }
    String method = request.getMethod();
    if (framework && (method.equals("GET") || method.equals("HEAD"))) {
      runFramework(request, response, chain);
      return;
    }
    Admission admission = front.admit(exchange);
    if (admission instanceof Admission.Write write) {
      request.setAttribute(OUTCOME_ATTRIBUTE, "WRITE");
      reportWrite(write.request(), request, response, chain);
    } else if (admission instanceof Admission.Cacheable cacheable) {
      request.setAttribute(POLICY_ATTRIBUTE, cacheable.policy().id());
      Serving serving = front.serve(cacheable, exchange);
      CacheResponse answer = serving instanceof Serving.Fill fill
          ? runChain(fill, request, response, chain) : ((Serving.Ready) serving).response();
      request.setAttribute(OUTCOME_ATTRIBUTE, outcome(answer, serving instanceof Serving.Ready));
      CacheFront.send(exchange, answer);
    } else {
      request.setAttribute(OUTCOME_ATTRIBUTE, "BYPASS");
      chain.doFilter(req, res);
    }
  }

  /** What {@code X-Cache} says, kept to the attribute's few values, or what the serving path implies. */
  private static String outcome(CacheResponse answer, boolean ready) {
    String field = answer.headers().first(dev.apicache.http.HeaderNames.X_CACHE).orElse("");
    return switch (field) {
      case "HIT", "STALE", "MISS", "BYPASS" -> field;
      default -> ready ? "HIT" : "MISS";
    };
  }

  private static CacheResponse runChain(Serving.Fill fill, HttpServletRequest request, HttpServletResponse response,
      FilterChain chain) throws IOException, ServletException {
    CapturingResponse captured = new CapturingResponse(response, fill.holdLimit(), fill.streamedHeaders());
    try (fill) {
      try {
        chain.doFilter(new OriginRequest(request, fill.originRequest(), captured), captured);
      } catch (IOException | ServletException | RuntimeException e) {
        // the application's own failure: the container answers it as it would without the cache
        Optional<CacheResponse> stale = fill.failInPlace(e);
        if (stale.isEmpty()) {
          throw e;
        }
        return stale.get();
      }
      return fill.complete(captured.toResponse());
    }
  }

  /** A framework's GET or HEAD: runs its pipeline, and completes a fill it started in place. */
  private void runFramework(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
      throws IOException, ServletException {
    Slot slot = new Slot(request, response);
    try {
      chain.doFilter(slot, slot.response);
    } catch (IOException | ServletException | RuntimeException e) {
      Slot.Started started = slot.started;
      Optional<CacheResponse> stale = started == null || started.fill().isDone() ? Optional.empty()
          : started.fill().failInPlace(e);
      if (stale.isEmpty()) {
        throw e; // the application's own failure, answered by the framework as without the cache
      }
      CacheFront.send(new ServletExchange(request, response), stale.get());
      return;
    }
    Slot.Started started = slot.started;
    if (started != null) {
      // an asynchronous handler already streams through, uncached: the fill then sends nothing
      CacheResponse answer = started.fill().run(started.captured()::toResponse);
      CacheFront.send(new ServletExchange(request, response), answer);
    }
  }

  /** Runs an unsafe request untouched and reports it to the engine before its response leaves. */
  private void reportWrite(CacheRequest write, HttpServletRequest request, HttpServletResponse response,
      FilterChain chain) throws IOException, ServletException {
    CommitHookResponse[] hooked = new CommitHookResponse[1];
    hooked[0] = new CommitHookResponse(response, () -> report(write, hooked[0]));
    chain.doFilter(request, hooked[0]);
    if (request.isAsyncStarted()) {
      // the response completes later: its first byte still fires the hook; one that sends no bytes
      // is reported when it completes, just after the container sent its head
      request.getAsyncContext().addListener(new AsyncListener() {
        @Override
        public void onComplete(AsyncEvent event) {
          hooked[0].fire();
        }

        @Override
        public void onTimeout(AsyncEvent event) {
        }

        @Override
        public void onError(AsyncEvent event) {
        }

        @Override
        public void onStartAsync(AsyncEvent event) {
        }
      });
      return;
    }
    hooked[0].fire(); // the container commits only after the chain returns
  }

  private Optional<CacheResponse> report(CacheRequest write, HttpServletResponse response) {
    Headers.Builder headers = Headers.builder();
    for (String name : response.getHeaderNames()) {
      for (String value : response.getHeaders(name)) {
        headers.add(name, value);
      }
    }
    return front.reportWrite(write, response.getStatus(), headers.build());
  }

  /**
   * The request a framework sees inside a {@link #forFramework} filter: itself until a handler
   * starts a fill, then the fill's view of it (the engine's method and headers), with the response
   * captured.
   */
  private static final class Slot extends HttpServletRequestWrapper {
    private final HttpServletRequest real;
    private final HttpServletResponse realResponse;
    final HttpServletResponseWrapper response;
    /** The fill a handler started, with the response it captures; one per request. */
    record Started(Serving.Fill fill, CapturingResponse captured) {}

    @Nullable Started started;

    Slot(HttpServletRequest real, HttpServletResponse realResponse) {
      super(real);
      this.real = real;
      this.realResponse = realResponse;
      this.response = new HttpServletResponseWrapper(realResponse);
    }

    void start(Serving.Fill f) {
      CapturingResponse captured = new CapturingResponse(realResponse, f.holdLimit(), f.streamedHeaders());
      started = new Started(f, captured);
      response.setResponse(captured);
      setRequest(new OriginRequest(real, f.originRequest(), captured));
    }
  }
}
