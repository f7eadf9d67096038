package dev.apicache;

import dev.apicache.http.HeaderNames;
import java.util.List;
import java.util.Optional;

/**
 * Admission: the checks that decide, once per request, whether the cache may answer it, and its
 * key when it may. Counts each bypass once.
 */
final class Screener {
  private final CachePolicies policies;
  private final StatsRecorder stats;
  private final int maxTargetLength;
  private final PendingInvalidations pending;
  private final KnownPaths paths;

  Screener(CachePolicies policies, StatsRecorder stats, int maxTargetLength, PendingInvalidations pending) {
    this.policies = policies;
    this.pending = pending;
    this.stats = stats;
    this.maxTargetLength = maxTargetLength;
    this.paths = new KnownPaths(policies, stats);
  }

  Admission admit(CacheRequest request) {
    String method = request.method();
    if (WriteRule.isUnsafe(method)) {
      return new Admission.Write(request);
    }
    if (!method.equals("GET") && !method.equals("HEAD")) {
      return bypass(request, BypassReason.METHOD, stats.unmatched());
    }
    String path = request.path();
    String rawQuery = request.rawQuery();
    if (path.length() + rawQuery.length() + 1 > maxTargetLength) {
      return bypass(request, BypassReason.OVERSIZE_URL, stats.unmatched());
    }
    KnownPath known = paths.of(path);
    if (known.rejection != null) {
      return bypass(request, known.rejection, stats.unmatched());
    }
    BypassReason badQuery = RequestTarget.queryRejection(rawQuery);
    if (badQuery != null) {
      return bypass(request, badQuery, stats.unmatched());
    }
    KnownPath.Matched matched = known.matched;
    if (matched == null) {
      return bypass(request, BypassReason.NO_POLICY, stats.unmatched());
    }
    CachePolicy policy = matched.policy;
    StatsRecorder.Scope scope = matched.scope;
    if (policy.bypasses()) {
      return bypass(request, BypassReason.TTL_0, scope);
    }
    if (pending.blocks(policy)) {
      return bypass(request, BypassReason.INVALIDATION_PENDING, scope);
    }
    if (!matched.match.valid()) {
      return bypass(request, BypassReason.INVALID_VARIABLE, scope);
    }
    Headers headers = request.headers();
    if (headers.contains(HeaderNames.AUTHORIZATION) && !policy.shared() && !policy.hasKeyFunction()) {
      return bypass(request, BypassReason.AUTHORIZATION, scope);
    }
    if (headers.contains(HeaderNames.RANGE)
        && (!method.equals("GET") || headers.all(HeaderNames.RANGE).size() != 1
            || !Ranges.answerable(headers.first(HeaderNames.RANGE).orElseThrow()))) {
      return bypass(request, BypassReason.RANGE, scope); // several ranges, or not bytes: the origin's to answer
    }
    String rawHost = null;
    if (!policy.shareAcrossHosts()) {
      List<String> hosts = headers.all(HeaderNames.HOST);
      if (hosts.size() > 1) {
        return bypass(request, BypassReason.INVALID_HOST, scope);
      }
      rawHost = hosts.isEmpty() ? "" : hosts.get(0);
    }
    String keyedQuery = matched.keyReadsQuery ? rawQuery : null;
    if (matched.keyFromTarget) {
      // the key depends on the path, host and query alone: the last one built for this path is likely this one
      CacheKey remembered = matched.keyFor(rawHost, request.scheme(), keyedQuery);
      if (remembered != null) {
        return new Admission.Cacheable(request, matched, remembered);
      }
    }
    CacheKey.Builder key = matched.keyBuilder();
    if (rawHost != null) {
      String host = rawHost.isEmpty() ? "" : Authority.normalise(rawHost, request.scheme());
      if (host == null) {
        return bypass(request, BypassReason.INVALID_HOST, scope);
      }
      key.part(host);
    }
    for (VaryBy v : policy.varyBy()) {
      if (v instanceof VaryBy.QueryParam q) {
        key.values(RequestTarget.queryValues(rawQuery, q.name()));
      } else if (v instanceof VaryBy.WholeQuery) {
        key.part(rawQuery);
      } else if (v instanceof VaryBy.Header h) {
        List<String> values = headers.all(h.name());
        for (String value : values) {
          if (!isValidFieldValue(value)) {
            return bypass(request, BypassReason.INVALID_HEADER, scope);
          }
        }
        key.values(values);
      } else if (v instanceof VaryBy.Key k) {
        Optional<String> value;
        try {
          value = policies.keyFunction(k.name()).keyOf(request);
        } catch (RuntimeException e) {
          return bypass(request, BypassReason.KEY_FUNCTION_ERROR, scope);
        }
        if (value == null || value.isEmpty()) {
          return bypass(request, BypassReason.NO_KEY, scope);
        }
        key.part(value.get());
      }
    }
    CacheKey built = key.build();
    if (matched.keyFromTarget) {
      matched.rememberKey(rawHost, request.scheme(), keyedQuery, built);
    }
    return new Admission.Cacheable(request, matched, built);
  }

  private static Admission bypass(CacheRequest request, BypassReason reason, StatsRecorder.Scope scope) {
    scope.bypass(reason.token());
    return new Admission.Bypass(request, reason);
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
}
