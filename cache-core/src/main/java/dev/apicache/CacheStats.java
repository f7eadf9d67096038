package dev.apicache;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * An immutable snapshot of what the engine did, in total and per policy.
 *
 * <p>Taking a snapshot never blocks a request: counters are {@code LongAdder}s summed at the time
 * of the call, so a snapshot taken under load is a close, not an atomic, picture.
 *
 * @since 0.1
 */
public final class CacheStats {
  private final Counts total;
  private final Map<String, Counts> byPolicy;

  CacheStats(Counts total, Map<String, Counts> byPolicy) {
    this.total = total;
    this.byPolicy = Map.copyOf(byPolicy);
  }

  /** A snapshot from parts, for stats gathered elsewhere (several nodes summed, say). */
  public static CacheStats of(Counts total, Map<String, Counts> byPolicy) {
    return new CacheStats(Objects.requireNonNull(total, "total"),
        Objects.requireNonNull(byPolicy, "byPolicy"));
  }

  /** The sum of several snapshots, policy by policy. */
  public static CacheStats sum(Collection<CacheStats> snapshots) {
    Map<String, List<Counts>> policies = new HashMap<>();
    List<Counts> totals = new ArrayList<>();
    for (CacheStats s : snapshots) {
      totals.add(s.total);
      s.byPolicy.forEach((id, c) -> policies.computeIfAbsent(id, k -> new ArrayList<>()).add(c));
    }
    Map<String, Counts> summed = new HashMap<>();
    policies.forEach((id, list) -> summed.put(id, Counts.sum(list)));
    return new CacheStats(Counts.sum(totals), summed);
  }

  /** Everything, including requests no policy matched and tag invalidations. */
  public Counts total() {
    return total;
  }

  /** The counts of each policy, by policy id (its route). */
  public Map<String, Counts> byPolicy() {
    return new TreeMap<>(byPolicy);
  }

  /** The counts of one policy; all zero for an unknown id. */
  public Counts policy(String id) {
    return byPolicy.getOrDefault(id, Counts.ZERO);
  }

  @Override
  public String toString() {
    return "CacheStats[total=" + total + ", byPolicy=" + byPolicy() + "]";
  }

  /**
   * The counters of one scope.
   *
   * @param hits fresh responses served from the store
   * @param staleHits stale responses served while a background revalidation ran
   * @param conditionalHits 304 Not Modified answers (after a hit, a stale hit or a miss)
   * @param misses requests that needed the origin for a cacheable route
   * @param bypasses requests that went to the origin without the cache (no policy, TTL 0, unsafe method, ...)
   * @param originCalls origin calls made on behalf of requests (misses, coalesced leaders, fallbacks)
   * @param coalescedWaits requests that waited for another request's origin call instead of making their own
   * @param revalidations background revalidations that stored a fresh response
   * @param revalidationFailures background revalidations whose origin call failed or was not storable
   * @param staleIfErrorServes stale responses served because the origin failed
   * @param uncacheable responses not stored (never-store rules), by reason
   * @param bypassReasons bypasses, by reason
   * @param storeErrors store calls that failed, timed out or returned a corrupt entry
   * @param eventInvalidations policy generations moved by events
   * @param tagInvalidations tags invalidated
   * @param purges URLs and policies purged, soft purges included, and URLs purged by successful
   *     unsafe requests
   * @param bytesServed body bytes served from the store
   * @param bytesSavedByNotModified body bytes not sent because a 304 answered instead
   * @param stores responses stored (fills and refreshes that the store kept)
   * @param originNanos time spent in origin calls, all of them together, in nanoseconds
   */
  public record Counts(
      long hits,
      long staleHits,
      long conditionalHits,
      long misses,
      long bypasses,
      long originCalls,
      long coalescedWaits,
      long revalidations,
      long revalidationFailures,
      long staleIfErrorServes,
      Map<String, Long> uncacheable,
      Map<String, Long> bypassReasons,
      long storeErrors,
      long eventInvalidations,
      long tagInvalidations,
      long purges,
      long bytesServed,
      long bytesSavedByNotModified,
      long stores,
      long originNanos) {

    static final Counts ZERO = new Counts(0, 0, 0, 0, 0, 0, 0, 0, 0, 0, Map.of(), Map.of(), 0, 0, 0, 0, 0, 0, 0, 0);

    /** The field-by-field sum of {@code parts}. */
    public static Counts sum(Collection<Counts> parts) {
      long[] v = new long[SCALAR_NAMES.size()];
      Map<String, Long> uncacheable = new HashMap<>();
      Map<String, Long> bypassReasons = new HashMap<>();
      for (Counts c : parts) {
        long[] f = c.scalars();
        for (int i = 0; i < v.length; i++) {
          v[i] += f[i];
        }
        c.uncacheable().forEach((k, n) -> uncacheable.merge(k, n, Long::sum));
        c.bypassReasons().forEach((k, n) -> bypassReasons.merge(k, n, Long::sum));
      }
      return fromScalars(v, uncacheable, bypassReasons);
    }

    /** The scalar counters in declaration order, without the two maps; see {@link #fromScalars}. */
    public long[] scalars() {
      return new long[] {hits, staleHits, conditionalHits, misses, bypasses, originCalls, coalescedWaits, revalidations,
          revalidationFailures, staleIfErrorServes, storeErrors, eventInvalidations, tagInvalidations, purges,
          bytesServed, bytesSavedByNotModified, stores, originNanos};
    }

    /** The names of {@link #scalars()}, in the same order. */
    public static final List<String> SCALAR_NAMES = List.of("hits", "staleHits",
        "conditionalHits", "misses", "bypasses", "originCalls", "coalescedWaits", "revalidations",
        "revalidationFailures", "staleIfErrorServes", "storeErrors", "eventInvalidations", "tagInvalidations",
        "purges", "bytesServed", "bytesSavedByNotModified", "stores", "originNanos");

    /** Counts from {@link #scalars()} and the two maps. */
    public static Counts fromScalars(long[] v, Map<String, Long> uncacheable, Map<String, Long> bypassReasons) {
      if (v.length != SCALAR_NAMES.size()) {
        throw new IllegalArgumentException("expected " + SCALAR_NAMES.size() + " counters but got " + v.length);
      }
      return new Counts(v[0], v[1], v[2], v[3], v[4], v[5], v[6], v[7], v[8], v[9], uncacheable, bypassReasons, v[10],
          v[11], v[12], v[13], v[14], v[15], v[16], v[17]);
    }

    /** Copies the maps, so the counts never change. */
    public Counts {
      uncacheable = Map.copyOf(uncacheable);
      bypassReasons = Map.copyOf(bypassReasons);
    }

    /** All invalidations: events, tags and purges. */
    public long invalidations() {
      return eventInvalidations + tagInvalidations + purges;
    }

    /** Responses not stored, all reasons together. */
    public long uncacheableTotal() {
      return uncacheable.values().stream().mapToLong(Long::longValue).sum();
    }

    /**
     * {@code (hits + staleHits + conditionalHits) / (those + misses)}; bypasses are not in it. Zero
     * when nothing was looked up.
     */
    public double hitRate() {
      long served = hits + staleHits + conditionalHits;
      long all = served + misses;
      return all == 0 ? 0.0 : (double) served / all;
    }
  }
}
