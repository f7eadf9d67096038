package dev.apicache;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;
import org.jspecify.annotations.Nullable;

/** The engine's counters: one {@link Scope} per policy plus one for unmatched requests. */
final class StatsRecorder {
  private final Map<String, Scope> byPolicy = new HashMap<>();
  private final Scope unmatched = new Scope();

  StatsRecorder(List<CachePolicy> policies) {
    for (CachePolicy p : policies) {
      byPolicy.put(p.id(), new Scope());
    }
  }

  /** The scope of {@code policy}; the unmatched scope for null. */
  Scope scope(@Nullable CachePolicy policy) {
    if (policy == null) {
      return unmatched;
    }
    Scope scope = byPolicy.get(policy.id());
    if (scope == null) {
      throw new IllegalArgumentException("not a policy of this engine: " + policy.id());
    }
    return scope;
  }

  Scope unmatched() {
    return unmatched;
  }

  CacheStats snapshot() {
    Map<String, CacheStats.Counts> policies = new HashMap<>();
    List<CacheStats.Counts> all = new ArrayList<>();
    byPolicy.forEach((id, scope) -> {
      CacheStats.Counts c = scope.counts();
      policies.put(id, c);
      all.add(c);
    });
    all.add(unmatched.counts());
    return new CacheStats(CacheStats.Counts.sum(all), policies);
  }

  /** The counters of one policy. Every method is safe from any thread and never blocks. */
  static final class Scope {
    final LongAdder hits = new LongAdder();
    final LongAdder staleHits = new LongAdder();
    final LongAdder conditionalHits = new LongAdder();
    final LongAdder misses = new LongAdder();
    final LongAdder bypasses = new LongAdder();
    final LongAdder originCalls = new LongAdder();
    final LongAdder coalescedWaits = new LongAdder();
    final LongAdder revalidations = new LongAdder();
    final LongAdder revalidationFailures = new LongAdder();
    final LongAdder staleIfErrorServes = new LongAdder();
    final LongAdder storeErrors = new LongAdder();
    final LongAdder eventInvalidations = new LongAdder();
    final LongAdder tagInvalidations = new LongAdder();
    final LongAdder purges = new LongAdder();
    final LongAdder stores = new LongAdder();
    final LongAdder originNanos = new LongAdder();
    final LongAdder bytesServed = new LongAdder();
    final LongAdder bytesSavedByNotModified = new LongAdder();
    private final ConcurrentHashMap<String, LongAdder> uncacheable = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<String, LongAdder> bypassReasons = new ConcurrentHashMap<>();

    /**
     * Counts what the decision serves: a hit, a 304 (bytes saved), a stale copy, or a miss. Every
     * answer from the cache is counted here, once, and nowhere else.
     */
    void record(CacheDecision decision) {
      if (decision instanceof CacheDecision.Hit hit) {
        hits.increment();
        bytesServed.add(hit.entry().body().size());
      } else if (decision instanceof CacheDecision.NotModified nm) {
        conditionalHits.increment();
        bytesSavedByNotModified.add(nm.entry().body().size());
      } else if (decision instanceof CacheDecision.ServeStale stale) {
        staleHits.increment();
        bytesServed.add(stale.entry().body().size());
      } else {
        misses.increment();
      }
    }

    /** A 304 answered after an origin call, because the client held what it returned. */
    void notModifiedAfterFetch(StoredEntry entry) {
      bytesSavedByNotModified.add(entry.body().size());
    }

    void uncacheable(String reason) {
      uncacheable.computeIfAbsent(reason, r -> new LongAdder()).increment();
    }

    void bypass(String reason) {
      bypasses.increment();
      bypassReasons.computeIfAbsent(reason, r -> new LongAdder()).increment();
    }

    CacheStats.Counts counts() {
      return new CacheStats.Counts(hits.sum(), staleHits.sum(), conditionalHits.sum(), misses.sum(), bypasses.sum(),
          originCalls.sum(), coalescedWaits.sum(), revalidations.sum(), revalidationFailures.sum(),
          staleIfErrorServes.sum(), sums(uncacheable), sums(bypassReasons), storeErrors.sum(),
          eventInvalidations.sum(), tagInvalidations.sum(), purges.sum(), bytesServed.sum(),
          bytesSavedByNotModified.sum(), stores.sum(), originNanos.sum());
    }

    private static Map<String, Long> sums(Map<String, LongAdder> adders) {
      Map<String, Long> out = new HashMap<>();
      adders.forEach((k, v) -> out.put(k, v.sum()));
      return out;
    }
  }
}
