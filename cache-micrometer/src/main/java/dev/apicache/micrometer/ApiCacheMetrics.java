package dev.apicache.micrometer;

import static java.util.Objects.requireNonNull;

import dev.apicache.BypassReason;
import dev.apicache.CacheEngine;
import dev.apicache.CachePolicy;
import dev.apicache.CacheStats;
import dev.apicache.spi.Footprint;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.FunctionTimer;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.binder.MeterBinder;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.ToLongFunction;
import org.jspecify.annotations.Nullable;

/**
 * Publishes a {@link CacheEngine}'s counters to Micrometer, per policy, tagged {@code cache} (the
 * name given here) and {@code policy} (the policy's id).
 *
 * <pre>{@code
 * ApiCacheMetrics.of(engine, "api").bindTo(registry);
 * }</pre>
 *
 * <p>Micrometer's cache conventions: {@code cache.gets} ({@code result=hit}: fresh, stale and
 * 304 answers from the store; {@code result=miss}), {@code cache.puts} (responses stored). And the
 * engine's own: {@code apicache.stale.serves} ({@code kind=while-revalidate|if-error}),
 * {@code apicache.not.modified}, {@code apicache.bypasses} ({@code reason}, every
 * {@link BypassReason}; requests no policy matched carry {@code policy=none}),
 * {@code apicache.origin} (a timer: origin calls and the time spent in them),
 * {@code apicache.revalidations} ({@code result=success|failure}), {@code apicache.coalesced.waits},
 * {@code apicache.store.errors}, {@code apicache.invalidations} ({@code kind=event|tag|purge}),
 * {@code apicache.uncacheable} ({@code reason}), {@code apicache.bytes.served} and
 * {@code apicache.bytes.saved} (304s instead of bodies). Stores report their size and evictions
 * to the engine only where they know them in-process (the Caffeine store does): then
 * {@code cache.size} (entries), {@code apicache.store.bytes} and {@code cache.evictions}, tagged
 * {@code cache} only, since the store is shared by every policy; so are {@code apicache.store.circuit},
 * 1 while the engine skips a failing store and 0 otherwise, and {@code apicache.invalidations.pending},
 * the invalidation counters the store has not recorded yet ({@link CacheEngine#invalidationsPending()}).
 *
 * <p>Every meter reads the engine's counters when the registry polls it, through one snapshot
 * reused for a second: nothing is done per request, and nothing remote is called.
 *
 * @since 0.1
 */
public final class ApiCacheMetrics implements MeterBinder {
  /** The reasons {@code apicache.uncacheable} is published for. */
  private static final List<String> UNCACHEABLE_REASONS = List.of("status", "set-cookie", "no-store", "private",
      "too-large", "vary", "vary-unkeyed", "streamed", "origin-uncacheable", "stale-on-arrival");
  private static final long SNAPSHOT_NANOS = TimeUnit.SECONDS.toNanos(1);
  private static final String NO_POLICY = "none";

  private final CacheEngine engine;
  private final String name;
  private final Object lock = new Object();
  private @Nullable CacheStats snapshot;
  private long snapshotAt;

  private ApiCacheMetrics(CacheEngine engine, String name) {
    this.engine = engine;
    this.name = name;
  }

  /** Metrics for {@code engine}, tagged {@code cache=name}. */
  public static ApiCacheMetrics of(CacheEngine engine, String name) {
    requireNonNull(engine, "engine");
    requireNonNull(name, "name");
    if (name.isBlank()) {
      throw new IllegalArgumentException("the cache name must not be blank");
    }
    return new ApiCacheMetrics(engine, name);
  }

  @Override
  public void bindTo(MeterRegistry registry) {
    requireNonNull(registry, "registry");
    for (CachePolicy policy : engine.policies().policies()) {
      bindPolicy(registry, policy.id());
    }
    for (BypassReason reason : BypassReason.values()) {
      counter(registry, "apicache.bypasses", "requests sent to the origin without the cache", NO_POLICY,
          c -> c.bypassReasons().getOrDefault(reason.token(), 0L), "reason", reason.token());
    }
    Gauge.builder("apicache.store.circuit", engine, e -> e.storeCircuitOpen() ? 1 : 0)
        .description("1 while the store is skipped after repeated faults (requests go to the origin), else 0")
        .tags(Tags.of("cache", name)).register(registry);
    Gauge.builder("apicache.invalidations.pending", engine, CacheEngine::invalidationsPending)
        .description("invalidation counters the store has not recorded yet, retried until it does; "
            + "the policies they cover are served from the origin on this node meanwhile")
        .tags(Tags.of("cache", name)).register(registry);
    if (engine.storeFootprint().isPresent()) {
      Tags store = Tags.of("cache", name);
      Gauge.builder("cache.size", engine, e -> e.storeFootprint().map(Footprint::entries).orElse(0L))
          .description("entries in the store").tags(store).register(registry);
      Gauge.builder("apicache.store.bytes", engine, e -> e.storeFootprint().map(Footprint::bytes).orElse(0L))
          .description("bytes the stored entries take").baseUnit("bytes").tags(store).register(registry);
      FunctionCounter.builder("cache.evictions", engine,
              e -> e.storeFootprint().map(Footprint::evictions).orElse(0L))
          .description("entries the store dropped to stay in bounds or because they expired").tags(store)
          .register(registry);
    }
  }

  private void bindPolicy(MeterRegistry registry, String id) {
    counter(registry, "cache.gets", "requests answered from the store", id,
        c -> c.hits() + c.staleHits() + c.conditionalHits(), "result", "hit");
    counter(registry, "cache.gets", "requests that needed the origin", id, CacheStats.Counts::misses,
        "result", "miss");
    counter(registry, "cache.puts", "responses stored", id, CacheStats.Counts::stores);
    counter(registry, "apicache.stale.serves", "stale responses served while one refresh ran", id,
        CacheStats.Counts::staleHits, "kind", "while-revalidate");
    counter(registry, "apicache.stale.serves", "stale responses served because the origin failed", id,
        CacheStats.Counts::staleIfErrorServes, "kind", "if-error");
    counter(registry, "apicache.not.modified", "304 Not Modified answers", id, CacheStats.Counts::conditionalHits);
    for (BypassReason reason : BypassReason.values()) {
      counter(registry, "apicache.bypasses", "requests sent to the origin without the cache", id,
          c -> c.bypassReasons().getOrDefault(reason.token(), 0L), "reason", reason.token());
    }
    for (String reason : UNCACHEABLE_REASONS) {
      counter(registry, "apicache.uncacheable", "origin responses not stored", id,
          c -> c.uncacheable().getOrDefault(reason, 0L), "reason", reason);
    }
    counter(registry, "apicache.revalidations", "background refreshes that stored a response", id,
        CacheStats.Counts::revalidations, "result", "success");
    counter(registry, "apicache.revalidations", "background refreshes that failed", id,
        CacheStats.Counts::revalidationFailures, "result", "failure");
    counter(registry, "apicache.coalesced.waits", "requests that waited for another request's origin call", id,
        CacheStats.Counts::coalescedWaits);
    counter(registry, "apicache.store.errors", "store calls that failed, timed out or read a corrupt entry", id,
        CacheStats.Counts::storeErrors);
    counter(registry, "apicache.invalidations", "policy generations moved by events", id,
        CacheStats.Counts::eventInvalidations, "kind", "event");
    counter(registry, "apicache.invalidations", "tag invalidations", id, CacheStats.Counts::tagInvalidations,
        "kind", "tag");
    counter(registry, "apicache.invalidations", "URL and policy purges", id, CacheStats.Counts::purges,
        "kind", "purge");
    FunctionCounter.builder("apicache.bytes.served", this, m -> m.counts(id).bytesServed())
        .description("body bytes served from the store").baseUnit("bytes").tags(tags(id)).register(registry);
    FunctionCounter.builder("apicache.bytes.saved", this, m -> m.counts(id).bytesSavedByNotModified())
        .description("body bytes not sent because a 304 answered instead").baseUnit("bytes").tags(tags(id))
        .register(registry);
    FunctionTimer.builder("apicache.origin", this, m -> m.counts(id).originCalls(),
            m -> m.counts(id).originNanos(), TimeUnit.NANOSECONDS)
        .description("origin calls made for requests and refreshes, and the time spent in them")
        .tags(tags(id)).register(registry);
  }

  private void counter(MeterRegistry registry, String meter, String description, String id,
      ToLongFunction<CacheStats.Counts> value, String... extraTags) {
    FunctionCounter.builder(meter, this, m -> value.applyAsLong(m.counts(id)))
        .description(description).tags(tags(id).and(extraTags)).register(registry);
  }

  private Tags tags(String id) {
    return Tags.of("cache", name, "policy", id);
  }

  /** The counts of policy {@code id}, or of requests no policy matched for {@link #NO_POLICY}. */
  private CacheStats.Counts counts(String id) {
    CacheStats stats = stats();
    if (!id.equals(NO_POLICY)) {
      return stats.policy(id);
    }
    return unmatched(stats);
  }

  /** The total less every policy's share: what requests no policy matched were counted as. */
  private static CacheStats.Counts unmatched(CacheStats stats) {
    long[] total = stats.total().scalars();
    Map<String, Long> bypass = new HashMap<>(stats.total().bypassReasons());
    for (CacheStats.Counts c : stats.byPolicy().values()) {
      long[] v = c.scalars();
      for (int i = 0; i < total.length; i++) {
        total[i] -= v[i];
      }
      c.bypassReasons().forEach((reason, n) -> bypass.merge(reason, -n, Long::sum));
    }
    return CacheStats.Counts.fromScalars(total, Map.of(), bypass);
  }

  private CacheStats stats() {
    synchronized (lock) {
      long now = System.nanoTime();
      if (snapshot == null || now - snapshotAt > SNAPSHOT_NANOS) {
        snapshot = engine.stats();
        snapshotAt = now;
      }
      return snapshot;
    }
  }
}
