package dev.apicache;

import dev.apicache.spi.EntryKey;
import dev.apicache.spi.Fence;
import java.time.Duration;
import java.time.InstantSource;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.RejectedExecutionException;

/**
 * Background revalidation of stale entries: at most one per key on this node, and, with a store
 * that has leases, one per key in the cluster. Runs after the stale response was built.
 */
final class Revalidator implements AutoCloseable {
  /**
   * The finished request's trace context: a refresh is not part of that trace, and sending it would
   * attach the origin's spans to a request that already ended.
   */
  private static final List<String> TRACE_CONTEXT = List.of("traceparent", "tracestate", "baggage");

  private final GuardedStore store;
  private final OriginCalls calls;
  private final InstantSource clock;
  private final Duration leaseTime;
  private final ExecutorService executor;
  private final boolean ownsExecutor;
  private final Set<CacheKey> running = ConcurrentHashMap.newKeySet();
  private final EngineObserver observer;

  Revalidator(GuardedStore store, OriginCalls calls, InstantSource clock, Duration leaseTime, ExecutorService executor,
      boolean ownsExecutor, EngineObserver observer) {
    this.observer = observer;
    this.store = store;
    this.calls = calls;
    this.clock = clock;
    this.leaseTime = leaseTime;
    this.executor = executor;
    this.ownsExecutor = ownsExecutor;
  }

  /** The request a refresh sends: the client's bytes, as a full GET, without the trace context. */
  static CacheRequest refreshRequest(CacheRequest request) {
    CacheRequest.Builder b = OriginCalls.originRequest(request).toBuilder();
    for (String name : TRACE_CONTEXT) {
      b.removeHeader(name);
    }
    return b.build();
  }

  /**
   * Starts refreshing {@code c} through {@code origin} unless a refresh of its key is running; with
   * {@code validated}, as a validation of that entry.
   */
  void revalidate(Admission.Cacheable c, Origin origin, Optional<StoredEntry> validated) {
    if (!running.add(c.key)) {
      return;
    }
    try {
      executor.execute(() -> {
        try {
          refresh(c, origin, validated);
        } finally {
          running.remove(c.key);
        }
      });
    } catch (RejectedExecutionException closed) {
      running.remove(c.key);
      c.scope.revalidationFailures.increment();
    }
  }

  private void refresh(Admission.Cacheable c, Origin origin, Optional<StoredEntry> validated) {
    EntryKey lease = c.storeKey();
    if (!store.tryLease(lease, leaseTime, c.scope)) {
      return; // another node is refreshing this key
    }
    try {
      if (store.hasLeases()) {
        long nowMillis = clock.millis();
        if (calls.current(c, nowMillis).filter(e -> e.classify(nowMillis) == Freshness.State.FRESH).isPresent()) {
          return; // another node refreshed it before this one got the lease
        }
      }
      Optional<Fence> fence = store.fence(c.fillCounters(), c.scope);
      c.scope.originCalls.increment();
      Outcome o;
      try (EngineObserver.Scope observed = observer.revalidation(c.request, c.policy.id())) {
        o = calls.call(c, refreshRequest(c.request), origin, fence, validated);
        if (o instanceof Outcome.Failed f) {
          observed.failed(f.error());
        }
      }
      // nobody sends a background refresh; a body too large to hold is dropped
      o.answer().ifPresent(CacheResponse::discard);
      if (o instanceof Outcome.Filled f && f.stored()) {
        c.scope.revalidations.increment();
      } else {
        c.scope.revalidationFailures.increment();
        if (o instanceof Outcome.Uncacheable u && !Storability.isOriginError(u.response().status())) {
          // the origin now answers this URL with something we may not store: stop serving the old copy
          try {
            store.bump(List.of(FenceNames.url(c.policy, c.path)), c.scope);
          } catch (StoreException counted) {
            // already counted and logged; the entry then ages out by itself
          }
        }
      }
    } finally {
      store.releaseLease(lease, c.scope);
    }
  }

  @Override
  public void close() {
    if (ownsExecutor) {
      executor.shutdownNow();
    }
  }
}
