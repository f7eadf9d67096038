package dev.apicache;

import dev.apicache.spi.Counter;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * What the engine knows of one request path, the same for every GET or HEAD of it: the path's
 * strict reading, the policy it matches, and the tags, fence counters and key prefix that follow
 * from those. {@link KnownPaths} remembers one per path, so a request for a path seen before repeats
 * none of this work.
 *
 * <p>Thread-safe. The values computed on first use are immutable and equal whichever thread computes
 * them, so they are published without locks (a race computes one twice, never a different one).
 */
final class KnownPath {
  /** The path as requested (no query). */
  final String path;
  /** Why the cache may not answer this path, or null. */
  final @Nullable BypassReason rejection;
  /** The policy this path matches and what follows from it, or null (no policy, or rejected). */
  final @Nullable Matched matched;

  private KnownPath(String path, @Nullable BypassReason rejection, @Nullable Matched matched) {
    this.path = path;
    this.rejection = rejection;
    this.matched = matched;
  }

  /** Reads {@code path} and matches it against {@code policies}. */
  static KnownPath read(String path, CachePolicies policies, StatsRecorder stats) {
    RequestTarget.PathReading reading = RequestTarget.readPath(path);
    if (reading.rejection() != null) {
      return new KnownPath(path, reading.rejection(), null);
    }
    CachePolicies.PolicyMatch match = policies.matchPolicy("GET", reading.segments());
    return new KnownPath(path, null, match == null ? null : new Matched(match, stats.scope(match.policy())));
  }

  /** A path a policy matched: the match, and the tags, counters and key prefix that follow from it. */
  static final class Matched {
    final CachePolicies.PolicyMatch match;
    final CachePolicy policy;
    /** The path in canonical spelling. */
    final String path;
    final StatsRecorder.Scope scope;
    private @Nullable List<String> tags;
    private @Nullable List<Counter> counters;
    private @Nullable List<Counter> softCounters;
    private @Nullable List<Counter> fillCounters;
    private @Nullable String keyPrefix;
    /**
     * Whether the policy's key reads nothing but the path, the host and the query (no header, no key
     * function), so that a request with the same raw host, scheme and query has the same key.
     */
    final boolean keyFromTarget;
    /** Whether the key reads the query at all. */
    final boolean keyReadsQuery;
    /** The last key built for this path and what it was built from, when {@link #keyFromTarget}. */
    private volatile @Nullable LastKey lastKey;

    private record LastKey(@Nullable String rawHost, String scheme, @Nullable String rawQuery, CacheKey key) {}

    private Matched(CachePolicies.PolicyMatch match, StatsRecorder.Scope scope) {
      this.match = match;
      this.policy = match.policy();
      this.path = match.path();
      this.scope = scope;
      boolean fromTarget = true;
      boolean readsQuery = false;
      for (VaryBy v : policy.varyBy()) {
        boolean query = v instanceof VaryBy.QueryParam || v instanceof VaryBy.WholeQuery;
        fromTarget &= query;
        readsQuery |= query;
      }
      this.keyFromTarget = fromTarget;
      this.keyReadsQuery = readsQuery;
    }

    /** The tags of an entry filled for this path. */
    List<String> tags() {
      List<String> t = tags;
      if (t == null) {
        t = List.copyOf(policy.expandTags(match.variables()));
        tags = t;
      }
      return t;
    }

    /** The counters that fence a fill for this path: its policy, its URL and its tags. */
    List<Counter> counters() {
      List<Counter> c = counters;
      if (c == null) {
        List<String> tags = tags();
        List<Counter> all = new ArrayList<>(2 + tags.size());
        all.add(FenceNames.policy(policy));
        all.add(FenceNames.url(policy, path));
        for (String t : tags) {
          all.add(FenceNames.tag(policy, t));
        }
        c = List.copyOf(all);
        counters = c;
      }
      return c;
    }

    /** The soft-purge counters an entry of this path records and is read with: policy, then URL. */
    List<Counter> softCounters() {
      List<Counter> c = softCounters;
      if (c == null) {
        c = List.of(FenceNames.softPolicy(policy), FenceNames.softUrl(policy, path));
        softCounters = c;
      }
      return c;
    }

    /** {@link #counters}, then {@link #softCounters}: what a fill reads before its origin call. */
    List<Counter> fillCounters() {
      List<Counter> c = fillCounters;
      if (c == null) {
        List<Counter> all = new ArrayList<>(counters());
        all.addAll(softCounters());
        c = List.copyOf(all);
        fillCounters = c;
      }
      return c;
    }

    /** A key builder for this path's policy, method class GET and canonical path, its prefix encoded once. */
    CacheKey.Builder keyBuilder() {
      String prefix = keyPrefix;
      if (prefix == null) {
        prefix = CacheKey.builder(policy, "GET", path).encoding();
        keyPrefix = prefix;
      }
      return CacheKey.continuing(policy, prefix);
    }

    /**
     * The key last built for {@code rawHost} (the request's only {@code Host} value, or null when the
     * policy shares entries across hosts), {@code scheme} and {@code rawQuery} (null when the key does
     * not read the query), or null. Only when {@link #keyFromTarget}.
     */
    @Nullable CacheKey keyFor(@Nullable String rawHost, String scheme, @Nullable String rawQuery) {
      LastKey last = lastKey;
      return last != null && Objects.equals(last.rawHost, rawHost) && last.scheme.equals(scheme)
          && Objects.equals(last.rawQuery, rawQuery) ? last.key : null;
    }

    /** Remembers {@code key} as the one for {@code rawHost}, {@code scheme} and {@code rawQuery}. */
    void rememberKey(@Nullable String rawHost, String scheme, @Nullable String rawQuery, CacheKey key) {
      lastKey = new LastKey(rawHost, scheme, rawQuery, key);
    }
  }
}
