package dev.apicache;

import static java.util.Objects.requireNonNull;

import dev.apicache.spi.Fence;
import dev.apicache.spi.Store;
import java.time.Duration;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The cache: runs each request through the policy, the store and the freshness state machine, and
 * calls the origin only when it must (DESIGN.md §2-§8).
 *
 * <p>Guarantees, each covered by tests:
 * <ul>
 *   <li><b>No stale after invalidation.</b> Once {@link #invalidate}, {@link #invalidateTags} or a
 *       successful unsafe request returns, no request that starts later is served a response
 *       produced before it; a slow origin call that raced the invalidation is never stored.</li>
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
 * <p>Thread-safe. Background revalidations run on an executor the engine owns (virtual threads
 * where the JDK has them) after the stale response was built and returned; {@link #close()} stops
 * it and closes the store.
 */
public final class CacheEngine implements AutoCloseable {
  private static final String CACHE_NAME = "apicache";
  private static final System.Logger LOG = System.getLogger("dev.apicache");
  private static final Set<String> HOP_BY_HOP = Set.of("connection", "keep-alive", "transfer-encoding", "upgrade",
      "proxy-connection", "te", "trailer", "content-length");
  /** Set per response by the engine, so never stored. */
  private static final Set<String> PER_RESPONSE = Set.of("age", "cache-control", "etag", "x-cache", "cache-status",
      "expires", "pragma");
  private static final List<String> NOT_MODIFIED_HEADERS = List.of(HeaderNames.ETAG, HeaderNames.CACHE_CONTROL,
      HeaderNames.VARY, HeaderNames.DATE, HeaderNames.EXPIRES, HeaderNames.CONTENT_LOCATION, HeaderNames.AGE,
      HeaderNames.X_CACHE, HeaderNames.CACHE_STATUS);
  private final CachePolicies policies;
  private final GuardedStore store;
  private final InstantSource clock;
  private final Duration coalesceTimeout;
  private final Duration leaseTime;
  private final Duration clusterWideMissWait;
  private final int maxTargetLength;
  private final StatsRecorder stats;
  private final ExecutorService background;
  private final ConcurrentHashMap<CacheKey, Flight> flights = new ConcurrentHashMap<>();
  private final Set<CacheKey> revalidating = ConcurrentHashMap.newKeySet();
  private final java.util.concurrent.atomic.AtomicLong lastOriginFailureLog = new java.util.concurrent.atomic.AtomicLong(
      System.nanoTime() - 2_000_000_000L);

  private CacheEngine(Builder b) {
    this.policies = b.policies;
    this.store = new GuardedStore(b.store, b.storeTimeout);
    this.clock = b.clock;
    this.coalesceTimeout = b.coalesceTimeout;
    this.leaseTime = b.leaseTime;
    this.clusterWideMissWait = b.clusterWideMissWait;
    this.maxTargetLength = b.maxTargetLength;
    this.stats = new StatsRecorder(policies.policies());
    this.background = EngineThreads.background("apicache-revalidate");
  }

  /** A builder for an engine over {@code policies} and {@code store}. */
  public static Builder builder(CachePolicies policies, Store store) {
    return new Builder(policies, store);
  }

  public CachePolicies policies() {
    return policies;
  }

  /**
   * Answers {@code request}: from the store when it may, otherwise from {@code origin}, storing what
   * may be stored. Unsafe methods go to the origin and, when they succeed, invalidate (see
   * {@link #onWriteCompleted}). Never throws for a request the origin could serve: an origin that
   * throws is answered with a stale response when one is allowed, else with 502.
   */
  public CacheResponse handle(CacheRequest request, Origin origin) {
    requireNonNull(request, "request");
    requireNonNull(origin, "origin");
    if (WriteRule.isUnsafe(request.method())) {
      CacheResponse response = passThrough(request, origin, "unsafe-method", null);
      onWriteCompleted(request, response.status(), response.headers());
      return response;
    }
    Screening s = screen(request);
    if (s.bypassReason != null) {
      s.scope.bypass(s.bypassReason);
      return passThrough(request, origin, s.bypassReason, s.scope);
    }
    Lookup l = lookup(request, s);
    if (l.bypassReason != null) {
      l.scope.bypass(l.bypassReason);
      return passThrough(request, origin, l.bypassReason, l.scope);
    }
    return serve(l, origin);
  }

  /**
   * The reason {@link #handle} would send {@code request} straight to the origin without the cache,
   * found from the method, the URL, the policy and {@code Authorization}; empty when the cache is
   * consulted. A present reason is counted as a bypass: an adapter that gets one serves the request
   * itself and must not also call {@code handle}. Unsafe methods are reported as bypasses too; their
   * outcome goes to {@link #onWriteCompleted}.
   */
  public Optional<String> bypassReason(CacheRequest request) {
    requireNonNull(request, "request");
    if (WriteRule.isUnsafe(request.method())) {
      return Optional.of("unsafe-method");
    }
    Screening s = screen(request);
    if (s.bypassReason != null) {
      s.scope.bypass(s.bypassReason);
      return Optional.of(s.bypassReason);
    }
    return Optional.empty();
  }

  /**
   * Records the outcome of an unsafe request (POST, PUT, PATCH, DELETE) that went to the origin: on
   * success (2xx, 3xx) it purges the request URL and any same-origin {@code Location} or
   * {@code Content-Location} (RFC 9111 §4.4) and fires the events of the matching write rule. When
   * this returns, no later request is served what was cached for those URLs and events.
   *
   * @throws StoreException when the store could not record the invalidation; cached data may then be
   *     stale until it expires, so the caller should retry
   */
  public void onWriteCompleted(CacheRequest request, int status, Headers responseHeaders) {
    requireNonNull(request, "request");
    requireNonNull(responseHeaders, "responseHeaders");
    if (!WriteRule.isUnsafe(request.method())) {
      throw new IllegalArgumentException(request.method() + " is not an unsafe method");
    }
    Optional<List<String>> segments = request.target().length() > maxTargetLength ? Optional.empty()
        : RequestTarget.forPurge(request.path());
    CachePolicies.PolicyMatch match = segments.map(seg -> policies.matchPolicy("GET", seg)).orElse(null);
    StatsRecorder.Scope scope = stats.scope(match == null ? null : match.policy());
    scope.bypass("unsafe-method");
    if (status < 200 || status >= 400 || segments.isEmpty()) {
      return;
    }
    // whatever spelling the write used, purge the canonical URL: the only one the cache stores
    Set<String> counters = new LinkedHashSet<>();
    if (match != null) {
      counters.add(urlCounter(match.policy(), match.path()));
    }
    for (String name : List.of(HeaderNames.LOCATION, HeaderNames.CONTENT_LOCATION)) {
      responseHeaders.first(name).flatMap(v -> sameOriginPath(v, request)).flatMap(RequestTarget::forPurge)
          .map(seg -> policies.matchPolicy("GET", seg))
          .ifPresent(m -> counters.add(urlCounter(m.policy(), m.path())));
    }
    scope.purges.add(counters.size());
    WriteRule rule = policies.matchWrite(request.method(), segments.get());
    if (rule != null) {
      for (String event : rule.events()) {
        for (CachePolicy p : policies.listening(event)) {
          counters.add(policyCounter(p));
          stats.scope(p).eventInvalidations.increment();
        }
      }
    }
    store.bump(counters, scope);
  }

  /**
   * The path of a {@code Location} or {@code Content-Location} value when it names the request's own
   * origin (RFC 9111 §4.4): a path, or an absolute URL with the request's scheme and authority.
   */
  private static Optional<String> sameOriginPath(String value, CacheRequest request) {
    String v = value.trim();
    if (v.startsWith("/") && !v.startsWith("//")) {
      return Optional.of(stripQuery(v));
    }
    String prefix = request.scheme() + "://";
    Optional<String> host = request.headers().first("Host").map(h -> Authority.normalise(h, request.scheme()));
    if (host.isEmpty() || host.get().isEmpty() || v.length() <= prefix.length()
        || !v.regionMatches(true, 0, prefix, 0, prefix.length())) {
      return Optional.empty();
    }
    int slash = v.indexOf('/', prefix.length());
    String authority = v.substring(prefix.length(), slash < 0 ? v.length() : slash);
    if (!Authority.normalise(authority, request.scheme()).equals(host.get())) {
      return Optional.empty();
    }
    return Optional.of(slash < 0 ? "/" : stripQuery(v.substring(slash)));
  }

  private static String stripQuery(String pathAndQuery) {
    int cut = pathAndQuery.length();
    for (char c : new char[] {'?', '#'}) {
      int i = pathAndQuery.indexOf(c);
      if (i >= 0 && i < cut) {
        cut = i;
      }
    }
    return pathAndQuery.substring(0, cut);
  }

  /**
   * Invalidates every response of every policy that lists {@code event} in its
   * {@code invalidateOn}: O(1) per policy, whatever the number of entries.
   *
   * @return the number of policies invalidated
   * @throws StoreException when the store could not record the invalidation
   */
  public int invalidate(String event) {
    requireNonNull(event, "event");
    List<CachePolicy> listening = policies.listening(event);
    if (listening.isEmpty()) {
      return 0;
    }
    List<String> counters = new ArrayList<>(listening.size());
    for (CachePolicy p : listening) {
      counters.add(policyCounter(p));
    }
    store.bump(counters, stats.unmatched());
    for (CachePolicy p : listening) {
      stats.scope(p).eventInvalidations.increment();
    }
    return listening.size();
  }

  /**
   * Invalidates every response tagged with one of {@code tags} (expanded templates such as
   * {@code product:42}).
   *
   * @throws StoreException when the store could not record the invalidation
   */
  public void invalidateTags(Collection<String> tags) {
    requireNonNull(tags, "tags");
    if (tags.isEmpty()) {
      return;
    }
    // a tag lives in the partition of each policy that tags entries: that is where fences read it
    Set<String> counters = new LinkedHashSet<>();
    for (String t : tags) {
      requireNonNull(t, "tag");
      for (CachePolicy p : policies.policies()) {
        if (!p.tags().isEmpty()) {
          counters.add(tagCounter(p, t));
        }
      }
    }
    if (!counters.isEmpty()) {
      store.bump(counters, stats.unmatched());
    }
    stats.unmatched().tagInvalidations.add(tags.size());
  }

  /** {@link #invalidateTags(Collection)} for a few tags. */
  public void invalidateTags(String... tags) {
    invalidateTags(List.of(tags));
  }

  /** A snapshot of the counters, in total and per policy. */
  public CacheStats stats() {
    return stats.snapshot();
  }

  /** Stops background revalidation and closes the store. */
  @Override
  public void close() {
    background.shutdownNow();
    store.close();
  }

  // ---------------------------------------------------------------------------------------------
  // Screening and lookup

  /** The checks that need neither the key nor the store. */
  private static final class Screening {
    String bypassReason;
    StatsRecorder.Scope scope;
    RequestTarget target;
    CachePolicies.PolicyMatch match;
  }

  private Screening screen(CacheRequest request) {
    Screening s = new Screening();
    String method = request.method();
    if (!method.equals("GET") && !method.equals("HEAD")) {
      return bypass(s, "method", stats.unmatched());
    }
    s.target = RequestTarget.parse(request, maxTargetLength);
    if (s.target.rejection() != null) {
      return bypass(s, s.target.rejection(), stats.unmatched());
    }
    s.match = policies.matchPolicy(method, s.target.segments());
    if (s.match == null) {
      return bypass(s, "no-policy", stats.unmatched());
    }
    CachePolicy policy = s.match.policy();
    s.scope = stats.scope(policy);
    if (policy.bypasses()) {
      return bypass(s, "ttl-0", s.scope);
    }
    if (!s.match.valid()) {
      return bypass(s, "invalid-variable", s.scope);
    }
    if (request.headers().contains(HeaderNames.AUTHORIZATION) && !policy.shared() && !policy.hasKeyFunction()) {
      return bypass(s, "authorization", s.scope);
    }
    if (request.headers().contains("Range")) {
      return bypass(s, "range", s.scope);
    }
    return s;
  }

  private static Screening bypass(Screening s, String reason, StatsRecorder.Scope scope) {
    s.bypassReason = reason;
    s.scope = scope;
    return s;
  }

  /** Everything about a request that passed screening. */
  private static final class Lookup {
    CacheRequest request;
    CachePolicy policy;
    StatsRecorder.Scope scope;
    RequestTarget target;
    /** The path in canonical spelling: what keys, URL counters and purges use. */
    String path;
    CacheKey key;
    Map<String, String> variables;
    List<String> tags;
    List<String> counters;
    String bypassReason;
    boolean head;

    /** The tags of an entry filled for this request; computed only when a fill needs them. */
    List<String> tags() {
      if (tags == null) {
        tags = policy.expandTags(variables);
      }
      return tags;
    }

    /** The counters that fence a fill for this request: its policy, its URL and its tags. */
    List<String> counters() {
      if (counters == null) {
        List<String> all = new ArrayList<>(2 + tags().size());
        all.add(policyCounter(policy));
        all.add(urlCounter(policy, path));
        for (String t : tags()) {
          all.add(tagCounter(policy, t));
        }
        counters = all;
      }
      return counters;
    }
  }

  private Lookup lookup(CacheRequest request, Screening s) {
    Lookup l = new Lookup();
    l.request = request;
    l.policy = s.match.policy();
    l.scope = s.scope;
    l.target = s.target;
    l.head = request.method().equals("HEAD");
    l.path = s.match.path();
    CacheKey.Builder key = CacheKey.builder(l.policy.id(), "GET", l.path);
    if (!l.policy.shareAcrossHosts()) {
      List<String> hosts = request.headers().all("Host");
      String host = hosts.size() == 1 ? Authority.normalise(hosts.get(0), request.scheme()) : hosts.isEmpty() ? "" : null;
      if (host == null) {
        l.bypassReason = "invalid-host";
        return l;
      }
      key.part(host);
    }
    for (VaryBy v : l.policy.varyBy()) {
      if (v instanceof VaryBy.QueryParam q) {
        key.values(s.target.queryValues(q.name()));
      } else if (v instanceof VaryBy.Header h) {
        List<String> values = request.headers().all(h.name());
        for (String value : values) {
          if (!isValidFieldValue(value)) {
            l.bypassReason = "invalid-header";
            return l;
          }
        }
        key.values(values);
      } else if (v instanceof VaryBy.Key k) {
        Optional<String> value;
        try {
          value = policies.keyFunction(k.name()).keyOf(request);
        } catch (RuntimeException e) {
          l.bypassReason = "key-function-error";
          return l;
        }
        if (value == null || value.isEmpty()) {
          l.bypassReason = "no-key";
          return l;
        }
        key.part(value.get());
      }
    }
    l.key = key.build();
    l.variables = s.match.variables();
    return l;
  }

  private static boolean isValidFieldValue(String value) {
    for (int i = 0; i < value.length(); i++) {
      char c = value.charAt(i);
      if (c == '\r' || c == '\n' || c == 0 || (c < 0x20 && c != '\t') || c == 0x7f) {
        return false;
      }
    }
    return true;
  }

  // Counter names start with the policy's partition, like its keys, so that a store can keep an
  // entry and every counter of its fence together (one Redis Cluster slot, say).

  private static String policyCounter(CachePolicy p) {
    return p.partition() + "|p:" + p.id();
  }

  private static String urlCounter(CachePolicy p, String normalisedPath) {
    return p.partition() + "|u:" + normalisedPath;
  }

  private static String tagCounter(CachePolicy p, String tag) {
    return p.partition() + "|t:" + tag;
  }

  // ---------------------------------------------------------------------------------------------
  // The state machine

  private CacheResponse serve(Lookup l, Origin origin) {
    long now = clock.millis();
    CacheDecision decision = CacheDecision.decide(l.request.headers(), Optional.ofNullable(currentEntry(l)), now);
    if (decision instanceof CacheDecision.Hit hit) {
      return fromEntry(l, hit.entry(), now, "HIT", cacheStatus(l, hit.entry(), now, null, -1, false, false, null),
          true, false);
    }
    if (decision instanceof CacheDecision.NotModified nm) {
      CacheResponse r = fromEntry(l, nm.entry(), now, nm.revalidate() ? "STALE" : "HIT", cacheStatus(l, nm.entry(),
          now, null, -1, false, false, nm.revalidate() ? "stale-while-revalidate" : null), true, true);
      if (nm.revalidate()) {
        revalidateInBackground(l, origin);
      }
      return r;
    }
    if (decision instanceof CacheDecision.ServeStale stale) {
      CacheResponse r = fromEntry(l, stale.entry(), now, "STALE",
          cacheStatus(l, stale.entry(), now, null, -1, false, false, "stale-while-revalidate"), true, false);
      revalidateInBackground(l, origin);
      return r;
    }
    CacheDecision.Fetch fetch = (CacheDecision.Fetch) decision;
    return fetch(l, origin, fetch.fallback().orElse(null), fetch.forward().token());
  }

  /** A miss, or an entry past its stale-while-revalidate window: one coalesced origin call. */
  private CacheResponse fetch(Lookup l, Origin origin, StoredEntry fallback, String fwd) {
    l.scope.misses.increment();
    Optional<Fence> fence = store.fence(l.counters(), l.scope);
    if (fence.isEmpty()) {
      return respond(l, callOrigin(l, origin, null), fallback, fwd, false);
    }
    Flight mine = new Flight(fence.get());
    Flight leader = flights.putIfAbsent(l.key, mine);
    if (leader == null) {
      Outcome outcome = null;
      try {
        outcome = fillAsClusterLeader(l, origin, fence.get());
      } finally {
        mine.result.complete(outcome == null ? Outcome.failed(new IllegalStateException("origin call aborted")) : outcome);
        flights.remove(l.key, mine);
      }
      return respond(l, outcome, fallback, fwd, outcome.fromPeer);
    }
    if (leader.fence.equals(fence.get())) {
      l.scope.coalescedWaits.increment();
      Outcome shared = leader.await(coalesceTimeout);
      if (shared != null && shared.shareable()) {
        return respond(l, shared, fallback, fwd, true);
      }
    }
    // the leader started before an invalidation, timed out, or got a response for one caller only
    return respond(l, callOrigin(l, origin, fence.get()), fallback, fwd, false);
  }

  /**
   * This node's one fill of a key. With cluster-wide misses on and a store that has leases, only the
   * node that takes the key's lease calls the origin; the others wait for it (bounded) and serve
   * what it stored, or call the origin themselves when the wait ends without an entry.
   */
  private Outcome fillAsClusterLeader(Lookup l, Origin origin, Fence fence) {
    if (clusterWideMissWait.isZero() || !store.hasLeases()) {
      return callOrigin(l, origin, fence);
    }
    String lease = leaseName(l);
    if (store.tryLease(lease, leaseTime, l.scope)) {
      try {
        return callOrigin(l, origin, fence);
      } finally {
        store.releaseLease(lease, l.scope);
      }
    }
    l.scope.coalescedWaits.increment();
    store.awaitLease(lease, clusterWideMissWait, l.scope);
    StoredEntry filled = currentEntry(l);
    if (filled != null && filled.classify(clock.millis()) == Freshness.State.FRESH) {
      return new Outcome(CacheResponse.of(filled.status(), filled.headers(), filled.body()), filled, null, null, false,
          true);
    }
    return callOrigin(l, origin, fence);
  }

  /** The entry the store holds for the request now, if any and readable. */
  private StoredEntry currentEntry(Lookup l) {
    Optional<byte[]> blob = store.get(l.key.toString(), l::counters, l.scope);
    if (blob.isEmpty()) {
      return null;
    }
    Optional<StoredEntry> decoded = EntryCodec.decode(blob.get());
    if (decoded.isEmpty()) {
      l.scope.storeErrors.increment();
      return null;
    }
    return decoded.get();
  }

  private static String leaseName(Lookup l) {
    return l.key + ":lease";
  }

  private Outcome callOrigin(Lookup l, Origin origin, Fence fence) {
    l.scope.originCalls.increment();
    CacheResponse response;
    try {
      response = origin.fetch(originRequest(l.request));
      if (response == null) {
        throw new IllegalStateException("origin returned null");
      }
    } catch (Exception e) {
      logOriginFailure(l, e);
      return Outcome.failed(e);
    }
    String reason = Storability.reasonNotToStore(l.policy, response);
    if (reason != null) {
      l.scope.uncacheable(reason);
      return new Outcome(response, null, reason, null, false);
    }
    StoredEntry entry = toEntry(l, response);
    boolean stored = fence != null
        && store.put(l.key.toString(), EntryCodec.encode(entry), entry.retention(), fence, l.scope);
    return new Outcome(response, entry, null, null, stored);
  }

  /** Logs an origin that threw, at most once a second, with its stack: the 502 alone says too little. */
  private void logOriginFailure(Lookup l, Exception e) {
    long now = System.nanoTime();
    long last = lastOriginFailureLog.get();
    if (now - last > 1_000_000_000L && lastOriginFailureLog.compareAndSet(last, now)) {
      LOG.log(System.Logger.Level.WARNING, "apicache origin call for " + l.request.method() + " " + l.request.path()
          + " (policy " + l.policy.id() + ") failed; answering from a stale copy or with 502", e);
    }
  }

  private CacheResponse respond(Lookup l, Outcome o, StoredEntry fallback, String fwd, boolean collapsed) {
    long now = clock.millis();
    if (o.response != null && o.response.isStreamed()) {
      return o.response; // already on its way to the client: nothing to replace, nothing to add
    }
    boolean failed = o.error != null || Storability.isOriginError(o.response.status());
    if (failed) {
      int fwdStatus = o.error != null ? 502 : o.response.status();
      if (fallback != null) {
        if (o.response != null) {
          o.response.discard();
        }
        l.scope.staleIfErrorServes.increment();
        return fromEntry(l, fallback, now, "STALE",
            cacheStatus(l, fallback, now, "stale", fwdStatus, false, collapsed, "stale-if-error"), false,
            CacheDecision.clientIsCurrent(l.request.headers(), fallback));
      }
      if (o.error != null) {
        return errorResponse(l, fwd, collapsed);
      }
    }
    if (o.entry != null) {
      return fromEntry(l, o.entry, now, "MISS", cacheStatus(l, null, now, fwd, o.response.status(), o.stored, collapsed,
          null), false, CacheDecision.clientIsCurrent(l.request.headers(), o.entry));
    }
    CacheResponse.Builder out = o.response.toBuilder()
        .setHeader(HeaderNames.X_CACHE, "MISS")
        .setHeader(HeaderNames.CACHE_STATUS, cacheStatus(l, null, now, fwd, o.response.status(), false, collapsed,
            o.uncacheableReason == null ? null : "uncacheable-" + o.uncacheableReason));
    if (l.head) {
      out.body(Bytes.empty());
    }
    return out.build();
  }

  private CacheResponse errorResponse(Lookup l, String fwd, boolean collapsed) {
    return CacheResponse.builder(502)
        .header(HeaderNames.CONTENT_TYPE, "text/plain; charset=utf-8")
        .header(HeaderNames.CACHE_CONTROL, "no-store")
        .header(HeaderNames.X_CACHE, "MISS")
        .header(HeaderNames.CACHE_STATUS, cacheStatus(l, null, clock.millis(), fwd, 502, false, collapsed,
            "origin-unreachable"))
        .body(l.head ? Bytes.empty() : Bytes.utf8("origin unavailable\n"))
        .build();
  }

  private void revalidateInBackground(Lookup l, Origin origin) {
    if (!revalidating.add(l.key)) {
      return;
    }
    try {
      background.execute(() -> {
        String lease = leaseName(l);
        if (!store.tryLease(lease, leaseTime, l.scope)) {
          revalidating.remove(l.key); // another node is refreshing this key
          return;
        }
        try {
          if (store.hasLeases()) {
            StoredEntry now = currentEntry(l);
            if (now != null && now.classify(clock.millis()) == Freshness.State.FRESH) {
              return; // another node refreshed it before this one got the lease
            }
          }
          Optional<Fence> fence = store.fence(l.counters(), l.scope);
          Outcome o = callOrigin(l, origin, fence.orElse(null));
          if (o.response != null) {
            o.response.discard(); // nobody sends a background refresh; a body too large to hold is dropped
          }
          if (o.entry != null && o.stored) {
            l.scope.revalidations.increment();
          } else {
            l.scope.revalidationFailures.increment();
            if (o.error == null && !Storability.isOriginError(o.response.status()) && o.entry == null) {
              // the origin now answers this URL with something we may not store: stop serving the old copy
              tryBump(List.of(urlCounter(l.policy, l.path)), l.scope);
            }
          }
        } finally {
          store.releaseLease(lease, l.scope);
          revalidating.remove(l.key);
        }
      });
    } catch (RejectedExecutionException closed) {
      revalidating.remove(l.key);
      l.scope.revalidationFailures.increment();
    }
  }

  private void tryBump(List<String> counters, StatsRecorder.Scope scope) {
    try {
      store.bump(counters, scope);
    } catch (StoreException counted) {
      // already counted and logged; the entry then ages out by itself
    }
  }

  private CacheResponse passThrough(CacheRequest request, Origin origin, String reason, StatsRecorder.Scope scope) {
    CacheResponse response;
    try {
      response = origin.fetch(request);
      if (response == null) {
        throw new IllegalStateException("origin returned null");
      }
    } catch (Exception e) {
      return CacheResponse.builder(502)
          .header(HeaderNames.CONTENT_TYPE, "text/plain; charset=utf-8")
          .header(HeaderNames.X_CACHE, "BYPASS")
          .header(HeaderNames.CACHE_STATUS, bypassStatus(reason, 502))
          .body(request.method().equals("HEAD") ? Bytes.empty() : Bytes.utf8("origin unavailable\n"))
          .build();
    }
    return response.toBuilder()
        .setHeader(HeaderNames.X_CACHE, "BYPASS")
        .setHeader(HeaderNames.CACHE_STATUS, bypassStatus(reason, response.status()))
        .build();
  }

  /**
   * The {@code X-Cache} and {@code Cache-Status} fields of a bypassed response, for adapters that
   * serve bypassed requests themselves.
   */
  public static Headers bypassHeaders(String reason) {
    return Headers.of(HeaderNames.X_CACHE, "BYPASS", HeaderNames.CACHE_STATUS, bypassStatus(reason, -1));
  }

  /**
   * The {@code X-Cache} and {@code Cache-Status} fields for a response an origin streams to the client
   * itself (see {@link CacheResponse#streamed}), sent before the engine sees it.
   */
  public static Headers streamedHeaders() {
    return Headers.of(HeaderNames.X_CACHE, "MISS", HeaderNames.CACHE_STATUS,
        CACHE_NAME + "; fwd=miss; detail=uncacheable-streamed");
  }

  private static String bypassStatus(String reason, int status) {
    // RFC 9211: "method" when the method itself requires forwarding, "bypass" when configuration does
    boolean method = reason.equals("unsafe-method") || reason.equals("method");
    StringBuilder b = new StringBuilder(CACHE_NAME).append(method ? "; fwd=method" : "; fwd=bypass");
    if (status > 0) {
      b.append("; fwd-status=").append(status);
    }
    return b.append("; detail=").append(reason).toString();
  }

  // ---------------------------------------------------------------------------------------------
  // Building entries and responses

  /** What the origin is asked: the client's request as a full GET, so the answer can be stored. */
  private static CacheRequest originRequest(CacheRequest request) {
    return request.toBuilder()
        .method("GET")
        .removeHeader(HeaderNames.IF_NONE_MATCH)
        .removeHeader(HeaderNames.IF_MODIFIED_SINCE)
        .removeHeader("If-Match")
        .removeHeader("If-Unmodified-Since")
        .removeHeader("If-Range")
        .removeHeader("Accept-Encoding")
        .header("Accept-Encoding", "identity")
        .build();
  }

  private StoredEntry toEntry(Lookup l, CacheResponse response) {
    Headers.Builder kept = Headers.builder();
    response.headers().forEach((name, value) -> {
      String lower = name.toLowerCase(java.util.Locale.ROOT);
      if (!HOP_BY_HOP.contains(lower) && !PER_RESPONSE.contains(lower)) {
        kept.add(name, value);
      }
    });
    EntityTag etag = response.headers().first(HeaderNames.ETAG)
        .flatMap(EntityTag::tryParse)
        .orElseGet(() -> EntityTag.ofBody(response.body()));
    CachePolicy p = l.policy;
    return new StoredEntry(response.status(), kept.build(), response.body(), etag, clock.millis(), p.ttl().toMillis(),
        p.staleWhileRevalidate().toMillis(), p.staleIfError().toMillis(), l.tags());
  }

  /**
   * The response for {@code e}: a 304 when {@code notModified} (the decision's, or
   * {@link CacheDecision#clientIsCurrent} after an origin call), else the stored response.
   */
  private CacheResponse fromEntry(Lookup l, StoredEntry e, long now, String xCache, String cacheStatus, boolean countHit,
      boolean notModified) {
    Headers.Builder h = e.headers().toBuilder()
        .set(HeaderNames.ETAG, e.etag().toString())
        .set(HeaderNames.AGE, Long.toString(e.ageMillis(now) / 1000))
        .set(HeaderNames.CACHE_CONTROL, l.policy.clientCacheControl())
        .set(HeaderNames.X_CACHE, xCache)
        .set(HeaderNames.CACHE_STATUS, cacheStatus);
    String vary = varyHeader(l.policy, e.headers());
    if (vary != null) {
      h.set(HeaderNames.VARY, vary);
    }
    if (notModified) {
      if (countHit) {
        l.scope.conditionalHits.increment();
      }
      l.scope.bytesSavedByNotModified.add(e.body().size());
      Headers full = h.build();
      Headers.Builder subset = Headers.builder();
      for (String name : NOT_MODIFIED_HEADERS) {
        for (String v : full.all(name)) {
          subset.add(name, v);
        }
      }
      // RFC 9110 §8.6: a 304 may carry only the 200's own length; servers would otherwise add a 0
      subset.set(HeaderNames.CONTENT_LENGTH, Integer.toString(e.body().size()));
      return CacheResponse.of(304, subset.build(), Bytes.empty());
    }
    if (countHit) {
      if (xCache.equals("HIT")) {
        l.scope.hits.increment();
      } else {
        l.scope.staleHits.increment();
      }
      l.scope.bytesServed.add(e.body().size());
    }
    if (l.head) {
      h.set(HeaderNames.CONTENT_LENGTH, Integer.toString(e.body().size()));
      return CacheResponse.of(e.status(), h.build(), Bytes.empty());
    }
    return CacheResponse.of(e.status(), h.build(), e.body());
  }

  /** The policy's keyed headers, merged with the stored {@code Vary} (which names only keyed ones). */
  private static String varyHeader(CachePolicy policy, Headers stored) {
    Set<String> names = new LinkedHashSet<>();
    for (String v : stored.all(HeaderNames.VARY)) {
      for (String part : v.split(",")) {
        if (!part.isBlank()) {
          names.add(part.trim());
        }
      }
    }
    for (VaryBy v : policy.varyBy()) {
      if (v instanceof VaryBy.Header h) {
        names.add(h.name());
      }
    }
    return names.isEmpty() ? null : String.join(", ", names);
  }

  /** An RFC 9211 {@code Cache-Status} field value. */
  private static String cacheStatus(Lookup l, StoredEntry served, long now, String fwd, int fwdStatus, boolean stored,
      boolean collapsed, String detail) {
    StringBuilder b = new StringBuilder(96).append(CACHE_NAME);
    if (served != null) {
      b.append("; hit");
    }
    if (fwd != null) {
      b.append("; fwd=").append(fwd);
    }
    if (fwdStatus > 0) {
      b.append("; fwd-status=").append(fwdStatus);
    }
    StoredEntry e = served;
    if (e != null) {
      long remaining = e.ttlMillis() - e.ageMillis(now);
      b.append("; ttl=").append(Math.floorDiv(remaining, 1000));
    }
    if (stored) {
      b.append("; stored");
    }
    if (collapsed) {
      b.append("; collapsed");
    }
    b.append("; key=\"").append(l.key.shortHash()).append('"');
    if (detail != null) {
      b.append("; detail=").append(detail);
    }
    return b.toString();
  }

  // ---------------------------------------------------------------------------------------------
  // Single flight

  /** The result of one origin call, shared with the requests that waited for it. */
  private static final class Outcome {
    final CacheResponse response;
    final StoredEntry entry;
    final String uncacheableReason;
    final Exception error;
    final boolean stored;
    /** The entry was filled by another node while this one waited for its lease. */
    final boolean fromPeer;

    Outcome(CacheResponse response, StoredEntry entry, String uncacheableReason, Exception error, boolean stored) {
      this(response, entry, uncacheableReason, error, stored, false);
    }

    Outcome(CacheResponse response, StoredEntry entry, String uncacheableReason, Exception error, boolean stored,
        boolean fromPeer) {
      this.response = response;
      this.entry = entry;
      this.uncacheableReason = uncacheableReason;
      this.error = error;
      this.stored = stored;
      this.fromPeer = fromPeer;
    }

    static Outcome failed(Exception e) {
      return new Outcome(null, null, null, e, false);
    }

    /**
     * Storable responses and plain failures may be shared; a response we may not store (a cookie,
     * private data) belongs to the caller that asked for it alone.
     */
    boolean shareable() {
      if (entry != null || error != null) {
        return true;
      }
      if (response.isStreamed() || response.bodyStream().isPresent()) {
        return false;
      }
      return Storability.isOriginError(response.status())
          && !"set-cookie".equals(uncacheableReason)
          && !response.headers().contains(HeaderNames.SET_COOKIE)
          && response.headers().all(HeaderNames.CACHE_CONTROL).stream().noneMatch(v -> v.contains("private"));
    }
  }

  private static final class Flight {
    final Fence fence;
    final CompletableFuture<Outcome> result = new CompletableFuture<>();

    Flight(Fence fence) {
      this.fence = fence;
    }

    /** The leader's outcome, or null when it took longer than {@code timeout}. */
    Outcome await(Duration timeout) {
      try {
        return result.get(timeout.toNanos(), TimeUnit.NANOSECONDS);
      } catch (TimeoutException e) {
        return null;
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return null;
      } catch (ExecutionException e) {
        return null;
      }
    }
  }

  // ---------------------------------------------------------------------------------------------

  /** Builds a {@link CacheEngine}. */
  public static final class Builder {
    private final CachePolicies policies;
    private final Store store;
    private InstantSource clock = InstantSource.system();
    private Duration coalesceTimeout = Duration.ofSeconds(5);
    private Duration storeTimeout = Duration.ofMillis(250);
    private Duration leaseTime = Duration.ofSeconds(10);
    private Duration clusterWideMissWait = Duration.ZERO;
    private int maxTargetLength = 8192;

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

    /** Requests whose path and query are longer go straight to the origin; default 8192. */
    public Builder maxTargetLength(int length) {
      if (length < 16) {
        throw new IllegalArgumentException("maxTargetLength must be >= 16 but was " + length);
      }
      maxTargetLength = length;
      return this;
    }

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
