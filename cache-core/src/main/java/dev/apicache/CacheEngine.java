package dev.apicache;

import static java.util.Objects.requireNonNull;

import dev.apicache.http.CacheStatus;
import dev.apicache.http.HeaderNames;
import dev.apicache.internal.EngineThreads;
import dev.apicache.spi.Footprint;
import dev.apicache.spi.Store;
import java.time.Duration;
import java.time.InstantSource;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import org.jspecify.annotations.Nullable;

/**
 * The cache: runs each request through the policy, the store and the freshness state machine, and
 * calls the origin only when it must.
 *
 * <p>A request is {@linkplain #admit admitted} once (write, bypass, or cacheable with its key), then
 * {@linkplain #serve served}: a pure {@code CacheDecision} of the stored entry and the time picks a
 * hit, a 304, a stale copy or an origin call, and the engine does the I/O it asks for. Adapters that
 * run the application's handler in place use {@link #admit} and {@link #serve}; everything else can
 * call {@link #handle(CacheRequest, Origin)}.
 *
 * <p>Guarantees, each covered by tests:
 * <ul>
 *   <li><b>No stale after invalidation.</b> Once {@link #invalidate}, {@link #invalidateTags},
 *       {@link #purge}, {@link #purgePolicy} or a successful unsafe request returns, no request that
 *       starts later is served a response produced before it; a slow origin call that raced the
 *       invalidation is never stored. After {@link #softPurge} or {@link #softPurgePolicy}, such a
 *       response is served only as stale.</li>
 *   <li><b>Single flight.</b> Concurrent misses of one key wait for one origin call (up to the
 *       coalescing timeout, then they call the origin themselves); concurrent stale hits start one
 *       background revalidation.</li>
 *   <li><b>Never stored:</b> non-cacheable statuses, {@code Set-Cookie}, {@code private} and
 *       {@code no-store} responses, bodies over the policy's limit, responses that vary on a header
 *       the policy does not key on.</li>
 *   <li><b>Fail open.</b> A store fault costs at most the store timeout; the origin's response is
 *       served and the fault counted.</li>
 * </ul>
 *
 * <p id="pending"><b>Pending invalidations.</b> An invalidation is retried, with backoff, for the
 * {@linkplain Builder#invalidationPatience patience}; one the store did not record by then throws
 * {@link StoreException} and is never dropped: it is retried in the background until the store records
 * it (see {@link #invalidationsPending()}), and until then this node answers every policy it covers from
 * the origin. Other nodes may serve what it drops until it is recorded, which is why the caller hears
 * of it: an unsafe request through {@link #handle} is then answered 503 (the service's own status in
 * {@code Cache-Status}), never as a success.
 *
 * <p>Thread-safe. Background revalidations run after the stale response was built and returned, on
 * an executor the engine owns (virtual threads where the JDK has them) unless the builder was given
 * one; {@link #close()} stops the engine's own executor and closes the store.
 *
 * @since 0.1
 */
public final class CacheEngine implements AutoCloseable {
  private final CachePolicies policies;
  private final GuardedStore store;
  private final InstantSource clock;
  private final StatsRecorder stats;
  private final Screener screener;
  private final Invalidator invalidator;
  private final Fills fills;
  private final Revalidator revalidator;
  private final StatusFields statusFields;
  private final boolean honourClientCacheControl;
  private final PendingInvalidations pending;
  private final boolean closesStore;
  private final boolean readsWithoutBlocking;

  private CacheEngine(Builder b) {
    this.closesStore = b.closesStore;
    this.readsWithoutBlocking = b.store.readsWithoutBlocking() && b.store.callsAreBounded();
    this.policies = b.policies;
    this.store = new GuardedStore(b.store, b.storeTimeout, b.invalidationPatience, b.observer);
    this.clock = b.clock;
    this.stats = new StatsRecorder(policies.policies());
    this.pending = new PendingInvalidations(store, policies.policies());
    this.screener = new Screener(policies, stats, b.maxTargetLength, pending);
    this.invalidator = new Invalidator(policies, store, pending, stats, b.maxTargetLength);
    OriginCalls calls = new OriginCalls(store, clock);
    this.statusFields = StatusFields.of(b.xCacheHeader, b.cacheStatusHeader);
    this.honourClientCacheControl = b.honourClientCacheControl;
    this.fills = new Fills(calls, store, clock, b.coalesceTimeout, b.leaseTime, b.clusterWideMissWait, statusFields,
        b.observer);
    ExecutorService given = b.revalidationExecutor;
    this.revalidator = new Revalidator(store, calls, clock, b.leaseTime,
        given != null ? given : EngineThreads.background("apicache-revalidate"), given == null, b.observer);
  }

  /** A builder for an engine over {@code policies} and {@code store}. */
  public static Builder builder(CachePolicies policies, Store store) {
    return new Builder(policies, store);
  }

  /** The policies this engine serves by. */
  public CachePolicies policies() {
    return policies;
  }

  /**
   * Screens {@code request} once: a write, a bypass (counted here, once) or a cacheable request with
   * its policy and key. Key functions run here, so call it where the request carries everything they
   * read (a principal, a tenant). Never throws for a well-formed request.
   */
  public Admission admit(CacheRequest request) {
    return screener.admit(requireNonNull(request, "request"));
  }

  /**
   * Answers {@code request}: from the store when it may, otherwise from {@code origin}, storing what
   * may be stored. Unsafe methods go to the origin and, when they succeed, invalidate (see
   * {@link #onWriteCompleted}). Never throws for a request the origin could serve: an origin that
   * throws is answered with a stale response when one is allowed, else with 502.
   */
  public CacheResponse handle(CacheRequest request, Origin origin) {
    return handle(admit(request), origin);
  }

  /** {@link #handle(CacheRequest, Origin)} for a request already {@linkplain #admit admitted}. */
  public CacheResponse handle(Admission admission, Origin origin) {
    return statusFields.apply(answer(admission, origin));
  }

  private CacheResponse answer(Admission admission, Origin origin) {
    requireNonNull(admission, "admission");
    requireNonNull(origin, "origin");
    if (admission instanceof Admission.Write w) {
      CacheResponse response = passThrough(w.request(), origin, BypassReason.UNSAFE_METHOD);
      try {
        onWriteCompleted(w.request(), response.status(), response.headers());
      } catch (StoreException e) {
        response.discard();
        return invalidationPending(w.request(), response.status());
      }
      return response;
    }
    if (admission instanceof Admission.Bypass b) {
      return passThrough(b.request(), origin, b.reason());
    }
    Serving serving = decide((Admission.Cacheable) admission, origin);
    if (serving instanceof Serving.Ready ready) {
      return ready.response();
    }
    Serving.Fill fill = (Serving.Fill) serving;
    return fill.run(() -> origin.fetch(fill.originRequest()));
  }

  /**
   * Runs the cache's decision for an admitted request: a {@link Serving.Ready} response (a hit, a
   * 304, a stale copy whose refresh has started through {@code background}, or the answer another
   * request's origin call got), or the {@link Serving.Fill} this request must run, in place, and
   * complete. Blocks while it waits for another request's origin call of the same key (at most the
   * coalescing timeout). {@code background} serves refreshes after the request is over: it must not
   * depend on the request's thread.
   */
  public Serving serve(Admission.Cacheable request, Origin background) {
    return statusFields.apply(decide(request, background));
  }

  /**
   * Answers {@code request} at once when that needs no wait: the store {@linkplain
   * Store#readsWithoutBlocking reads from this process's memory}, and what it holds may be served (a
   * hit, a 304, or a stale copy whose refresh then runs on the engine's revalidation executor through
   * {@code background}). Otherwise empty, with nothing counted, and the caller goes on with
   * {@link #handle(Admission, Origin)} or {@link #serve} on a thread that may block. Never blocks
   * (given a revalidation executor that does not run tasks on the caller), so an event loop may call
   * it.
   */
  public Optional<CacheResponse> serveWithoutWaiting(Admission.Cacheable request, Origin background) {
    requireNonNull(request, "request");
    requireNonNull(background, "background");
    if (!readsWithoutBlocking) {
      return Optional.empty();
    }
    long now = clock.millis();
    Optional<StoredEntry> stored = fills.calls.current(request, now);
    RequestDirectives directives = directives(request);
    CacheDecision decision = CacheDecision.decide(request.request.headers(), stored, now, directives);
    if (decision instanceof CacheDecision.Fetch) {
      return Optional.empty();
    }
    request.scope.record(decision);
    return Optional.of(statusFields.apply(served(request, background, stored, decision, now)));
  }

  private Serving decide(Admission.Cacheable request, Origin background) {
    requireNonNull(request, "request");
    requireNonNull(background, "background");
    long now = clock.millis();
    Optional<StoredEntry> stored = fills.calls.current(request, now);
    RequestDirectives directives = directives(request);
    CacheDecision decision = CacheDecision.decide(request.request.headers(), stored, now, directives);
    if (decision instanceof CacheDecision.Fetch && directives.onlyIfCached()) {
      request.scope.bypass(BypassReason.ONLY_IF_CACHED.token());
      return new Serving.Ready(Renderer.onlyIfCached(request)); // RFC 9111 §5.2.1.7: never the origin
    }
    request.scope.record(decision);
    if (decision instanceof CacheDecision.Fetch fetch) {
      return fills.fetch(request, fetch, directives.noStore(), validatable(request, stored));
    }
    return new Serving.Ready(served(request, background, stored, decision, now));
  }

  private RequestDirectives directives(Admission.Cacheable request) {
    return honourClientCacheControl && request.policy.originDirected().isPresent()
        ? RequestDirectives.of(request.request.headers()) : RequestDirectives.NONE;
  }

  /** The response for a decision that serves what is stored: a hit, a 304, or a stale copy being refreshed. */
  private CacheResponse served(Admission.Cacheable request, Origin background, Optional<StoredEntry> stored,
      CacheDecision decision, long now) {
    if (decision instanceof CacheDecision.Hit hit) {
      return Renderer.hit(request, hit.entry(), now);
    }
    if (decision instanceof CacheDecision.NotModified nm) {
      CacheStatus status = Renderer.served(request, nm.entry(), now);
      CacheResponse r = Renderer.fromEntry(request, nm.entry(), now, nm.revalidate() ? "STALE" : "HIT",
          nm.revalidate() ? status.withDetail("stale-while-revalidate") : status, true);
      if (nm.revalidate()) {
        revalidator.revalidate(request, background, validatable(request, stored));
      }
      return r;
    }
    StoredEntry stale = ((CacheDecision.ServeStale) decision).entry();
    CacheResponse r = Renderer.fromEntry(request, stale, now, "STALE",
        Renderer.served(request, stale, now).withDetail("stale-while-revalidate"), false);
    revalidator.revalidate(request, background, validatable(request, stored));
    return r;
  }

  /** On an origin-directed route, the stored copy an origin call validates (RFC 9111 §4.3). */
  private static Optional<StoredEntry> validatable(Admission.Cacheable request, Optional<StoredEntry> stored) {
    return request.policy.originDirected().isPresent() ? stored : Optional.empty();
  }

  /**
   * Records the outcome of an unsafe request (POST, PUT, PATCH, DELETE) that went to the origin: on
   * success (2xx, 3xx) it purges the request URL and any same-origin {@code Location} or
   * {@code Content-Location} (RFC 9111 §4.4) and fires the events of the matching write rule. When
   * this returns, no later request is served what was cached for those URLs and events.
   *
   * @throws StoreException when the store did not record the invalidation within the patience (see
   *     <a href="#pending">pending invalidations</a>): the write must then not be reported as a success
   */
  public void onWriteCompleted(CacheRequest request, int status, Headers responseHeaders) {
    requireNonNull(request, "request");
    requireNonNull(responseHeaders, "responseHeaders");
    if (!WriteRule.isUnsafe(request.method())) {
      throw new IllegalArgumentException(request.method() + " is not an unsafe method");
    }
    invalidator.onWriteCompleted(request, status, responseHeaders);
  }

  /**
   * Invalidates every response of every policy that lists {@code event} in its
   * {@code invalidateOn}: O(1) per policy, whatever the number of entries.
   *
   * @return the number of policies invalidated
   * @throws StoreException when the store did not record the invalidation within the patience (see
   *     <a href="#pending">pending invalidations</a>)
   */
  public int invalidate(String event) {
    return invalidator.invalidate(requireNonNull(event, "event"));
  }

  /**
   * Invalidates every response tagged with one of {@code tags} (expanded templates such as
   * {@code product:42}).
   *
   * @throws StoreException when the store did not record the invalidation within the patience (see
   *     <a href="#pending">pending invalidations</a>)
   */
  public void invalidateTags(Collection<String> tags) {
    requireNonNull(tags, "tags");
    tags.forEach(t -> requireNonNull(t, "tag"));
    invalidator.invalidateTags(tags);
  }

  /** {@link #invalidateTags(Collection)} for a few tags. */
  public void invalidateTags(String... tags) {
    invalidateTags(List.of(tags));
  }

  /**
   * Purges {@code url} (a path such as {@code /api/products/42}, with or without a query, or an
   * absolute URL, whose host is ignored): every entry stored for that URL, whatever its query,
   * host or vary values. When this returns, no later request is served what was purged, on any
   * node sharing the store.
   *
   * @return whether a policy covers the URL (false: nothing of it is ever stored)
   * @throws StoreException when the store did not record the purge within the patience (see
   *     <a href="#pending">pending invalidations</a>)
   */
  public boolean purge(String url) {
    return invalidator.purge(requireNonNull(url, "url"), false);
  }

  /**
   * Marks every entry stored for {@code url} (read as by {@link #purge}) stale instead of dropping
   * it: within its policy's stale-while-revalidate window it is still served, stale, while one
   * background revalidation per key refreshes it; without that window the next request calls the
   * origin (with the stored validators on an origin-directed route), and stale-if-error may still
   * serve it. When this returns, no later request is served a purged entry as fresh, on any node
   * sharing the store, and a fill that began before the call is stored as stale too.
   *
   * @return whether a policy covers the URL
   * @throws StoreException when the store did not record the purge within the patience (see
   *     <a href="#pending">pending invalidations</a>)
   */
  public boolean softPurge(String url) {
    return invalidator.purge(requireNonNull(url, "url"), true);
  }

  /**
   * Purges every entry of the policy whose {@linkplain CachePolicy#id() id} is {@code policyId}, with
   * the same guarantee as {@link #purge}.
   *
   * @return whether there is such a policy
   * @throws StoreException when the store did not record the purge within the patience (see
   *     <a href="#pending">pending invalidations</a>)
   */
  public boolean purgePolicy(String policyId) {
    return invalidator.purgePolicy(requireNonNull(policyId, "policyId"), false);
  }

  /**
   * Marks every entry of the policy {@code policyId} stale, as {@link #softPurge} does for a URL.
   *
   * @return whether there is such a policy
   * @throws StoreException when the store did not record the purge within the patience (see
   *     <a href="#pending">pending invalidations</a>)
   */
  public boolean softPurgePolicy(String policyId) {
    return invalidator.purgePolicy(requireNonNull(policyId, "policyId"), true);
  }

  /** What the store holds (entries, bytes, evictions), when it knows without a remote call. */
  public Optional<Footprint> storeFootprint() {
    return store.footprint();
  }

  /**
   * True while the engine skips the store after repeated faults (its circuit is open): requests are
   * then served from the origin, and the store is tried again after a pause of about a second.
   */
  public boolean storeCircuitOpen() {
    return store.circuitOpen();
  }

  /** A snapshot of the counters, in total and per policy. */
  public CacheStats stats() {
    return stats.snapshot();
  }

  /**
   * How many invalidation counters the store has not recorded yet: invalidations that outlasted the
   * {@linkplain Builder#invalidationPatience patience} and are being retried in the background. While
   * it is above zero, the policies they cover are answered from the origin on this node.
   */
  public int invalidationsPending() {
    return pending.size();
  }

  /**
   * What the client of {@code write} is sent instead of the service's {@code originStatus} answer
   * when {@link #onWriteCompleted} threw: a 503 saying the write took effect but its invalidation is
   * not recorded yet, so that no client takes the old data it may still read for a confirmation.
   */
  public CacheResponse invalidationPending(CacheRequest write, int originStatus) {
    return statusFields.apply(Renderer.invalidationPending(originStatus, write.method().equals("HEAD")));
  }

  /**
   * Stops background revalidation (unless its executor was given) and the retries of pending
   * invalidations, and closes the store unless {@link Builder#closesStore(boolean)} said otherwise.
   */
  @Override
  public void close() {
    revalidator.close();
    pending.close();
    store.stopRetrying();
    if (closesStore) {
      store.close();
    }
  }

  /**
   * The {@code X-Cache} and {@code Cache-Status} fields for a response an origin streams to the client
   * itself (see {@link CacheResponse#streamed}), sent before the engine sees it.
   */
  public static Headers streamedHeaders() {
    return Headers.of(HeaderNames.X_CACHE, "MISS", HeaderNames.CACHE_STATUS,
        CacheStatus.forwarded("miss").withDetail("uncacheable-streamed").toString());
  }
  /** {@link #streamedHeaders()} as this engine sends them: without the fields it was told to leave out. */
  public Headers streamedFields() {
    return statusFields.apply(streamedHeaders());
  }

  /**
   * The {@code X-Cache} and {@code Cache-Status} fields to add to the response the application
   * itself sends for a write or a bypass ({@link Admission.Write#headers()},
   * {@link Admission.Bypass#headers()}), less those this engine leaves out; empty for a cacheable
   * request, whose response the engine builds.
   */
  public Headers fieldsFor(Admission admission) {
    requireNonNull(admission, "admission");
    if (admission instanceof Admission.Write w) {
      return statusFields.apply(w.headers());
    }
    if (admission instanceof Admission.Bypass b) {
      return statusFields.apply(b.headers());
    }
    return Headers.empty();
  }


  private static CacheResponse passThrough(CacheRequest request, Origin origin, BypassReason reason) {
    CacheResponse response;
    try {
      response = origin.fetch(request);
      if (response == null) {
        throw new IllegalStateException("origin returned null");
      }
    } catch (Exception e) {
      int status = Renderer.gatewayStatus(e);
      return Renderer.originUnreachable(status, request.method().equals("HEAD"), "BYPASS",
          CacheStatus.bypassed(reason).withForwardStatus(status), false);
    }
    return Renderer.bypassed(response, reason);
  }

  // ---------------------------------------------------------------------------------------------

  /** Builds a {@link CacheEngine}. */
  public static final class Builder {
    private final CachePolicies policies;
    private final Store store;
    private InstantSource clock = InstantSource.system();
    private Duration coalesceTimeout = Duration.ofSeconds(5);
    private Duration storeTimeout = Duration.ofMillis(250);
    private Duration invalidationPatience = Duration.ofSeconds(10);
    private boolean xCacheHeader = true;
    private boolean cacheStatusHeader = true;
    private boolean honourClientCacheControl;
    private Duration leaseTime = Duration.ofSeconds(10);
    private Duration clusterWideMissWait = Duration.ZERO;
    private int maxTargetLength = 8192;
    private @Nullable ExecutorService revalidationExecutor;
    private boolean closesStore = true;
    private EngineObserver observer = EngineObserver.NONE;

    private Builder(CachePolicies policies, Store store) {
      this.policies = requireNonNull(policies, "policies");
      this.store = requireNonNull(store, "store");
    }

    /** The clock for freshness (wall time, as HTTP's); tests pass a manual one. */
    public Builder clock(InstantSource source) {
      clock = requireNonNull(source, "source");
      return this;
    }

    /**
     * How long a request waits for another request's origin call of the same key before calling the
     * origin itself; default 5 s.
     */
    public Builder coalesceTimeout(Duration timeout) {
      coalesceTimeout = positive("coalesceTimeout", timeout);
      return this;
    }

    /**
     * The longest a call to a store that does not bound its own calls may take before the engine
     * treats it as failed and serves from the origin; default 250 ms.
     */
    public Builder storeTimeout(Duration timeout) {
      storeTimeout = positive("storeTimeout", timeout);
      return this;
    }

    /**
     * How long a failed invalidation is retried (with backoff, each try within the store timeout)
     * while its caller waits; default 10 s. The write's answer waits meanwhile, so that no request
     * after it is served the old data. Past it the caller hears a {@link StoreException} (a write
     * through an adapter is answered 503) and the invalidation stays
     * <a href="CacheEngine.html#pending">pending</a>, retried in the background until recorded.
     */
    public Builder invalidationPatience(Duration patience) {
      invalidationPatience = positive("invalidationPatience", patience);
      return this;
    }

    /**
     * With a store that has {@linkplain Store#leases() leases}: how long one node holds a key's lease
     * while it refreshes or fills it; a node that dies holding it delays the others this long at
     * most. Default 10 s.
     */
    public Builder leaseTime(Duration time) {
      leaseTime = positive("leaseTime", time);
      return this;
    }

    /**
     * With a store that has {@linkplain Store#leases() leases}: makes a miss cluster-wide single
     * flight. The first node to miss a key calls the origin; other nodes wait up to {@code wait}
     * for its entry (woken as soon as it is stored), then call the origin themselves. Off (zero) by
     * default: a miss then waits only for requests on its own node.
     */
    public Builder clusterWideMisses(Duration wait) {
      requireNonNull(wait, "wait");
      if (wait.isNegative()) {
        throw new IllegalArgumentException("clusterWideMisses wait must be >= 0 but was " + wait);
      }
      clusterWideMissWait = wait;
      return this;
    }

    /**
     * Whether an origin-directed route honours the client's own {@code Cache-Control} (and
     * {@code Pragma: no-cache}): {@code no-cache}, {@code max-age}, {@code max-stale},
     * {@code min-fresh}, {@code no-store} and {@code only-if-cached} (RFC 9111 §5.2.1); default
     * false. Off, as nginx and Varnish are by default, no client can make the cache call the origin
     * (a browser reload sends {@code max-age=0}; Node's {@code fetch()} sends {@code no-cache} with
     * its conditional requests), and the directives still reach the origin on a miss. Turn it on
     * where clients are trusted to ask for fresher data. Policy-directed routes never honour them.
     */
    public Builder honourClientCacheControl(boolean honour) {
      honourClientCacheControl = honour;
      return this;
    }

    /**
     * Whether responses carry {@code X-Cache} ({@code HIT}, {@code MISS}, {@code STALE},
     * {@code BYPASS}); default true. Turn it off to keep the cache's state from clients, or where
     * {@code Cache-Status} alone is wanted.
     */
    public Builder xCacheHeader(boolean send) {
      xCacheHeader = send;
      return this;
    }

    /**
     * Whether responses carry {@code Cache-Status} (RFC 9211: hit or forward, the TTL left, a short
     * hash of the key); default true.
     */
    public Builder cacheStatusHeader(boolean send) {
      cacheStatusHeader = send;
      return this;
    }

    /** Requests whose path and query are longer go straight to the origin; default 8192. */
    public Builder maxTargetLength(int length) {
      if (length < 16) {
        throw new IllegalArgumentException("maxTargetLength must be >= 16 but was " + length);
      }
      maxTargetLength = length;
      return this;
    }

    /**
     * Runs background revalidations on {@code executor} instead of the engine's own; the caller owns
     * it, and {@link CacheEngine#close()} leaves it running.
     */
    public Builder revalidationExecutor(ExecutorService executor) {
      revalidationExecutor = requireNonNull(executor, "executor");
      return this;
    }

    /**
     * Whether {@link CacheEngine#close()} closes the store too: true by default; false when the
     * store's owner closes it (a dependency-injection container that created it as a bean of its
     * own), so that it is closed once.
     */
    public Builder closesStore(boolean close) {
      closesStore = close;
      return this;
    }

    /**
     * Watches origin fills, background revalidations and store calls (for tracing spans and
     * timers); by default nothing does.
     */
    public Builder observer(EngineObserver value) {
      observer = requireNonNull(value, "observer");
      return this;
    }

    /** The engine; the builder may be reused. */
    public CacheEngine build() {
      return new CacheEngine(this);
    }

    private static Duration positive(String name, Duration d) {
      requireNonNull(d, name);
      if (d.isNegative() || d.isZero()) {
        throw new IllegalArgumentException(name + " must be > 0 but was " + d);
      }
      return d;
    }
  }
}
