package dev.apicache;

import java.util.Map;
import java.util.TreeMap;

/**
 * An immutable snapshot of what the engine did, in total and per policy (DESIGN.md §8).
 *
 * <p>Taking a snapshot never blocks a request: counters are {@code LongAdder}s summed at the time
 * of the call, so a snapshot taken under load is a close, not an atomic, picture.
 */
public final class CacheStats {
  private final Counts total;
  private final Map<String, Counts> byPolicy;

  CacheStats(Counts total, Map<String, Counts> byPolicy) {
    this.total = total;
    this.byPolicy = Map.copyOf(byPolicy);
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
   * @param purges URLs purged by successful unsafe requests
   * @param bytesServed body bytes served from the store
   * @param bytesSavedByNotModified body bytes not sent because a 304 answered instead
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
      long bytesSavedByNotModified) {

    static final Counts ZERO = new Counts(0, 0, 0, 0, 0, 0, 0, 0, 0, 0, Map.of(), Map.of(), 0, 0, 0, 0, 0, 0);

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
