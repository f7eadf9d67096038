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

  Screener(CachePolicies policies, StatsRecorder stats, int maxTargetLength, PendingInvalidations pending) {
    this.policies = policies;
    this.pending = pending;
    this.stats = stats;
    this.maxTargetLength = maxTargetLength;
  }

  Admission admit(CacheRequest request) {
    String method = request.method();
    if (WriteRule.isUnsafe(method)) {
      return new Admission.Write(request);
    }
    if (!method.equals("GET") && !method.equals("HEAD")) {
      return bypass(request, BypassReason.METHOD, stats.unmatched());
    }
    RequestTarget target = RequestTarget.parse(request, maxTargetLength);
    if (target.rejection() != null) {
      return bypass(request, target.rejection(), stats.unmatched());
    }
    CachePolicies.PolicyMatch match = policies.matchPolicy(method, target.segments());
    if (match == null) {
      return bypass(request, BypassReason.NO_POLICY, stats.unmatched());
    }
    CachePolicy policy = match.policy();
    StatsRecorder.Scope scope = stats.scope(policy);
    if (policy.bypasses()) {
      return bypass(request, BypassReason.TTL_0, scope);
    }
    if (pending.blocks(policy)) {
      return bypass(request, BypassReason.INVALIDATION_PENDING, scope);
    }
    if (!match.valid()) {
      return bypass(request, BypassReason.INVALID_VARIABLE, scope);
    }
    if (request.headers().contains(HeaderNames.AUTHORIZATION) && !policy.shared() && !policy.hasKeyFunction()) {
      return bypass(request, BypassReason.AUTHORIZATION, scope);
    }
    if (request.headers().contains(HeaderNames.RANGE)
        && (!request.method().equals("GET") || request.headers().all(HeaderNames.RANGE).size() != 1
            || !Ranges.answerable(request.headers().first(HeaderNames.RANGE).orElseThrow()))) {
      return bypass(request, BypassReason.RANGE, scope); // several ranges, or not bytes: the origin's to answer
    }
    CacheKey.Builder key = CacheKey.builder(policy, "GET", match.path());
    if (!policy.shareAcrossHosts()) {
      List<String> hosts = request.headers().all(HeaderNames.HOST);
      String host = hosts.size() == 1 ? Authority.normalise(hosts.get(0), request.scheme()) : hosts.isEmpty() ? "" : null;
      if (host == null) {
        return bypass(request, BypassReason.INVALID_HOST, scope);
      }
      key.part(host);
    }
    for (VaryBy v : policy.varyBy()) {
      if (v instanceof VaryBy.QueryParam q) {
        key.values(target.queryValues(q.name()));
      } else if (v instanceof VaryBy.WholeQuery) {
        key.part(request.rawQuery());
      } else if (v instanceof VaryBy.Header h) {
        List<String> values = request.headers().all(h.name());
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
    return new Admission.Cacheable(request, policy, scope, match.path(), key.build(), match.variables());
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
