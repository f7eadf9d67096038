package dev.apicache;

import dev.apicache.http.HeaderNames;
import dev.apicache.spi.Counter;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/** Invalidation: writes, events and tags, each a bump of the counters that fence the entries. */
final class Invalidator {
  private final CachePolicies policies;
  private final GuardedStore store;
  private final StatsRecorder stats;
  private final int maxTargetLength;
  private final PendingInvalidations pending;

  Invalidator(CachePolicies policies, GuardedStore store, PendingInvalidations pending, StatsRecorder stats,
      int maxTargetLength) {
    this.policies = policies;
    this.store = store;
    this.pending = pending;
    this.stats = stats;
    this.maxTargetLength = maxTargetLength;
  }

  void onWriteCompleted(CacheRequest request, int status, Headers responseHeaders) {
    Optional<List<String>> segments = request.target().length() > maxTargetLength ? Optional.empty()
        : RequestTarget.forPurge(request.path());
    CachePolicies.PolicyMatch match = segments.map(seg -> policies.matchPolicy("GET", seg)).orElse(null);
    StatsRecorder.Scope scope = stats.scope(match == null ? null : match.policy());
    scope.bypass(BypassReason.UNSAFE_METHOD.token());
    if (status < 200 || status >= 400 || segments.isEmpty()) {
      return;
    }
    // whatever spelling the write used, purge the canonical URL: the only one the cache stores
    Set<Counter> counters = new LinkedHashSet<>();
    if (match != null) {
      counters.add(FenceNames.url(match.policy(), match.path()));
    }
    for (String name : List.of(HeaderNames.LOCATION, HeaderNames.CONTENT_LOCATION)) {
      responseHeaders.first(name).flatMap(v -> sameOriginPath(v, request)).flatMap(RequestTarget::forPurge)
          .map(seg -> policies.matchPolicy("GET", seg))
          .ifPresent(m -> counters.add(FenceNames.url(m.policy(), m.path())));
    }
    scope.purges.add(counters.size());
    WriteRule rule = policies.matchWrite(request.method(), segments.get());
    if (rule != null) {
      for (String event : rule.events()) {
        for (CachePolicy p : policies.listening(event)) {
          counters.add(FenceNames.policy(p));
          stats.scope(p).eventInvalidations.increment();
        }
      }
    }
    record(counters, scope);
  }

  int invalidate(String event) {
    List<CachePolicy> listening = policies.listening(event);
    if (listening.isEmpty()) {
      return 0;
    }
    List<Counter> counters = new ArrayList<>(listening.size());
    for (CachePolicy p : listening) {
      counters.add(FenceNames.policy(p));
    }
    record(counters, stats.unmatched());
    for (CachePolicy p : listening) {
      stats.scope(p).eventInvalidations.increment();
    }
    return listening.size();
  }

  void invalidateTags(Collection<String> tags) {
    if (tags.isEmpty()) {
      return;
    }
    // a tag lives in the partition of each policy that tags entries: that is where fences read it
    Set<Counter> counters = new LinkedHashSet<>();
    for (String t : tags) {
      for (CachePolicy p : policies.policies()) {
        if (!p.tags().isEmpty()) {
          counters.add(FenceNames.tag(p, t));
        }
      }
    }
    if (!counters.isEmpty()) {
      record(counters, stats.unmatched());
    }
    stats.unmatched().tagInvalidations.add(tags.size());
  }

  /**
   * Purges the canonical URL of {@code url} (a path, with or without a query, or an absolute URL):
   * every variant stored for it, whatever the query, host or vary values; when {@code soft}, marks
   * them stale instead. False when no policy covers it.
   */
  boolean purge(String url, boolean soft) {
    String path = url.trim();
    int scheme = path.indexOf("://");
    if (scheme > 0 && path.indexOf('/') > scheme) {
      int slash = path.indexOf('/', scheme + 3);
      path = slash < 0 ? "/" : path.substring(slash);
    }
    path = stripQuery(path);
    Optional<List<String>> segments = path.length() > maxTargetLength ? Optional.empty()
        : RequestTarget.forPurge(path);
    CachePolicies.PolicyMatch match = segments.map(seg -> policies.matchPolicy("GET", seg)).orElse(null);
    if (match == null) {
      return false;
    }
    StatsRecorder.Scope scope = stats.scope(match.policy());
    record(List.of(soft ? FenceNames.softUrl(match.policy(), match.path())
        : FenceNames.url(match.policy(), match.path())), scope);
    scope.purges.increment();
    return true;
  }

  /**
   * Purges every entry of the policy {@code policyId} (or, when {@code soft}, marks them stale);
   * false when there is no such policy.
   */
  boolean purgePolicy(String policyId, boolean soft) {
    for (CachePolicy p : policies.policies()) {
      if (p.id().equals(policyId)) {
        StatsRecorder.Scope scope = stats.scope(p);
        record(List.of(soft ? FenceNames.softPolicy(p) : FenceNames.policy(p)), scope);
        scope.purges.increment();
        return true;
      }
    }
    return false;
  }

  /**
   * Has the store record {@code counters}, retrying for the engine's patience. When it cannot, the
   * invalidation stays pending (retried in the background, its policies answered from the origin on
   * this node meanwhile) and the caller hears it.
   */
  private void record(Collection<Counter> counters, StatsRecorder.Scope scope) {
    try {
      store.bump(counters, scope);
    } catch (StoreException e) {
      pending.add(counters);
      throw new StoreException("the store did not record the invalidation in time (" + e.getMessage() + "); it is "
          + "retried in the background until it is, this node answers the policies it covers from the origin "
          + "until then, and other nodes may serve the data it drops until then", e);
    }
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
    Optional<String> host = request.headers().first(HeaderNames.HOST).map(h -> Authority.normalise(h, request.scheme()));
    if (host.isEmpty() || host.get().isEmpty() || v.length() <= prefix.length()
        || !v.regionMatches(true, 0, prefix, 0, prefix.length())) {
      return Optional.empty();
    }
    int slash = v.indexOf('/', prefix.length());
    String authority = v.substring(prefix.length(), slash < 0 ? v.length() : slash);
    if (!host.get().equals(Authority.normalise(authority, request.scheme()))) {
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
}
