package dev.apicache;

import dev.apicache.http.CacheControl;
import dev.apicache.http.CacheStatus;
import dev.apicache.spi.EntryKey;
import dev.apicache.spi.Fence;
import java.time.Duration;
import java.time.InstantSource;
import java.util.Optional;

/**
 * The miss side of the state machine: who makes the origin call for a key (local coalescing and
 * cluster leases), and what the client is sent once it returns.
 */
final class Fills {
  /** The cache's own response fields this engine sends. */
  final StatusFields statusFields;
  final OriginCalls calls;
  private final GuardedStore store;
  private final InstantSource clock;
  private final SingleFlight flights = new SingleFlight();
  private final Duration coalesceTimeout;
  private final Duration leaseTime;
  private final Duration clusterWideMissWait;
  final EngineObserver observer;

  Fills(OriginCalls calls, GuardedStore store, InstantSource clock, Duration coalesceTimeout, Duration leaseTime,
      Duration clusterWideMissWait, StatusFields statusFields, EngineObserver observer) {
    this.observer = observer;
    this.statusFields = statusFields;
    this.calls = calls;
    this.store = store;
    this.clock = clock;
    this.coalesceTimeout = coalesceTimeout;
    this.leaseTime = leaseTime;
    this.clusterWideMissWait = clusterWideMissWait;
  }

  /**
   * A miss, or an entry past its stale-while-revalidate window: the response another request's call
   * got, or the fill this request must make (one that stores nothing when {@code noStore}, and that
   * validates {@code validated} with the origin when there is one). Blocks while it waits for
   * another request's call.
   */
  Serving fetch(Admission.Cacheable c, CacheDecision.Fetch decision, boolean noStore,
      Optional<StoredEntry> validated) {
    Optional<StoredEntry> fallback = decision.fallback();
    if (noStore) {
      return fill(c, FillCoordination.unstored(), fallback, decision.forward(), validated); // the client's no-store
    }
    Optional<Fence> fence = store.fence(c.fillCounters(), c.scope);
    if (fence.isEmpty()) {
      return fill(c, FillCoordination.unstored(), fallback, decision.forward(), validated); // the store is down
    }
    SingleFlight.Joined joined = flights.join(c.key, fence.get());
    if (joined.leads()) {
      return lead(c, fence.get(), joined.flight(), fallback, decision.forward(), validated);
    }
    if (joined.flight().fence.equals(fence.get())) {
      c.scope.coalescedWaits.increment();
      Optional<Outcome> shared = joined.flight().await(coalesceTimeout)
          .filter(o -> o.shareable() && o.suits(c.policy, c.request.headers()));
      if (shared.isPresent()) {
        return new Serving.Ready(respond(c, shared.get(), fallback, servableWhenDisconnected(c, validated),
            decision.forward(), true));
      }
    }
    // the leader started before an invalidation, timed out, or got a response for one caller only
    return fill(c, FillCoordination.fenced(fence.get()), fallback, decision.forward(), validated);
  }

  /**
   * This node's one fill of a key. With cluster-wide misses on and a store that has leases, only the
   * node that takes the key's lease calls the origin; the others wait for it (bounded) and serve
   * what it stored, or call the origin themselves when the wait ends without an entry.
   */
  private Serving lead(Admission.Cacheable c, Fence fence, SingleFlight.Flight flight, Optional<StoredEntry> fallback,
      CacheDecision.Forward fwd, Optional<StoredEntry> validated) {
    if (clusterWideMissWait.isZero() || !store.hasLeases()) {
      return fill(c, FillCoordination.leading(fence, flight), fallback, fwd, validated);
    }
    EntryKey lease = c.storeKey();
    boolean landed = false;
    try {
      if (store.tryLease(lease, leaseTime, c.scope)) {
        return fill(c, FillCoordination.leased(fence, flight, lease), fallback, fwd, validated);
      }
      c.scope.coalescedWaits.increment();
      store.awaitLease(lease, clusterWideMissWait, c.scope);
      long now = clock.millis();
      Optional<StoredEntry> filled = calls.current(c, now).filter(e -> e.classify(now) == Freshness.State.FRESH);
      if (filled.isPresent()) {
        Outcome peer = Outcome.fromPeer(filled.get());
        flight.land(peer);
        landed = true;
        return new Serving.Ready(respond(c, peer, fallback, Optional.empty(), fwd, true));
      }
      return fill(c, FillCoordination.leading(fence, flight), fallback, fwd, validated);
    } catch (RuntimeException | Error e) {
      if (!landed) {
        flight.abandon();
      }
      throw e;
    }
  }

  private Serving.Fill fill(Admission.Cacheable c, FillCoordination coordination, Optional<StoredEntry> fallback,
      CacheDecision.Forward fwd, Optional<StoredEntry> validated) {
    c.scope.originCalls.increment();
    return new Serving.Fill(this, c, coordination, fallback, fwd, clock.millis(), validated);
  }

  /**
   * The stored copy {@code c} may be served when its origin is unreachable (RFC 9111 §4.2.4: a
   * cache disconnected from the origin may serve stale): on an origin-directed route, unless the
   * origin forbade it with {@code must-revalidate}, {@code proxy-revalidate}, {@code s-maxage}
   * (§5.2.2.10) or {@code no-cache}, and for as long as the store keeps the entry.
   */
  static Optional<StoredEntry> servableWhenDisconnected(Admission.Cacheable c, Optional<StoredEntry> stored) {
    if (c.policy.originDirected().isEmpty()) {
      return Optional.empty();
    }
    return stored.filter(e -> e.status() < 500).filter(e -> {
      CacheControl cc = e.headers().sharedCacheControl();
      return !(cc.has("must-revalidate") || cc.has("proxy-revalidate") || cc.has("s-maxage")
          || cc.isUnqualifiedNoCache());
    });
  }

  void releaseLease(Admission.Cacheable c, EntryKey lease) {
    store.releaseLease(lease, c.scope);
  }

  /**
   * What the client is sent for an origin call's outcome: {@code fallback} is the copy stale-if-error
   * allows, {@code disconnected} the stored copy an origin-directed route may serve, stale, when the
   * origin could not be reached at all (RFC 9111 §4.2.4), though the origin gave it no
   * stale-if-error window.
   */
  CacheResponse respond(Admission.Cacheable c, Outcome o, Optional<StoredEntry> fallback,
      Optional<StoredEntry> disconnected, CacheDecision.Forward fwd, boolean collapsed) {
    FillDecision decision = FillDecision.decide(o, fallback, disconnected);
    long now = clock.millis();
    if (decision instanceof FillDecision.PassOn p) {
      return p.response();
    }
    if (decision instanceof FillDecision.ServeStale s) {
      s.replaced().ifPresent(CacheResponse::discard);
      c.scope.staleIfErrorServes.increment();
      CacheStatus status = Renderer.served(c, s.entry(), now).withForward("stale").withForwardStatus(s.forwardStatus())
          .withCollapsed(collapsed).withDetail(s.detail());
      return notModifiedCounted(c, s.entry(), Renderer.fromEntry(c, s.entry(), now, "STALE", status,
          CacheDecision.clientIsCurrent(c.request.headers(), s.entry())));
    }
    if (decision instanceof FillDecision.Unreachable u) {
      return Renderer.originUnreachable(u.status(), c.head, "MISS", Renderer.forwarded(c, fwd, u.status())
          .withCollapsed(collapsed).withDetail("origin-unreachable"), true);
    }
    if (decision instanceof FillDecision.Fresh f) {
      CacheStatus status = Renderer.forwarded(c, fwd, f.originStatus()).withCollapsed(collapsed);
      return notModifiedCounted(c, f.entry(), Renderer.fromEntry(c, f.entry(), now, "MISS",
          status.withStored(f.stored()), CacheDecision.clientIsCurrent(c.request.headers(), f.entry())));
    }
    FillDecision.Uncached u = (FillDecision.Uncached) decision;
    CacheStatus status = Renderer.forwarded(c, fwd, u.response().status()).withCollapsed(collapsed);
    return Renderer.uncached(c, u.response(),
        u.reason().map(r -> status.withDetail("uncacheable-" + r)).orElse(status));
  }

  private static CacheResponse notModifiedCounted(Admission.Cacheable c, StoredEntry e, CacheResponse r) {
    if (r.status() == 304) {
      c.scope.notModifiedAfterFetch(e);
    }
    return r;
  }
}
