package dev.apicache;

import static java.util.Objects.requireNonNull;

import dev.apicache.http.CacheControl;
import dev.apicache.http.HeaderNames;
import java.util.List;
import java.util.OptionalLong;

/**
 * The request {@code Cache-Control} directives a shared cache honours (RFC 9111 §5.2.1), read once:
 * {@code max-age}, {@code max-stale} (bare: any staleness), {@code min-fresh}, {@code no-cache}
 * (also {@code Pragma: no-cache} without a {@code Cache-Control}, §5.4), {@code no-store} and
 * {@code only-if-cached}. Malformed arguments are ignored, as if the directive were absent, except a
 * bare {@code max-stale}. Applied only under origin-directed freshness: a policy-directed route is
 * the service's own decision, which no client can override.
 */
record RequestDirectives(OptionalLong maxAgeMillis, OptionalLong maxStaleMillis, OptionalLong minFreshMillis,
    boolean noCache, boolean noStore, boolean onlyIfCached) {
  /** No directives: the decision of a policy-directed route. */
  static final RequestDirectives NONE = new RequestDirectives(OptionalLong.empty(), OptionalLong.empty(),
      OptionalLong.empty(), false, false, false);

  RequestDirectives {
    requireNonNull(maxAgeMillis, "maxAgeMillis");
    requireNonNull(maxStaleMillis, "maxStaleMillis");
    requireNonNull(minFreshMillis, "minFreshMillis");
  }

  /** The directives of {@code requestHeaders}. */
  static RequestDirectives of(Headers requestHeaders) {
    List<String> lines = requestHeaders.all(HeaderNames.CACHE_CONTROL);
    if (lines.isEmpty()) {
      boolean pragma = requestHeaders.all(HeaderNames.PRAGMA).stream()
          .anyMatch(v -> CacheControl.parse(List.of(v)).has("no-cache"));
      return pragma ? new RequestDirectives(OptionalLong.empty(), OptionalLong.empty(), OptionalLong.empty(), true,
          false, false) : NONE;
    }
    CacheControl cc = CacheControl.parse(lines);
    OptionalLong maxStale = cc.argument("max-stale").map(v -> v.isEmpty() ? OptionalLong.of(Long.MAX_VALUE)
        : millis(cc.seconds("max-stale"))).orElse(OptionalLong.empty());
    return new RequestDirectives(millis(cc.maxAge()), maxStale, millis(cc.seconds("min-fresh")), cc.isNoCache(),
        cc.isNoStore(), cc.has("only-if-cached"));
  }

  private static OptionalLong millis(OptionalLong seconds) {
    return seconds.isPresent() ? OptionalLong.of(OriginFreshness.millis(seconds.getAsLong())) : OptionalLong.empty();
  }

  /** Whether {@code e}, at {@code age}, is young and fresh enough for this request (max-age, min-fresh). */
  boolean accepts(StoredEntry e, long age) {
    if (maxAgeMillis.isPresent() && age > maxAgeMillis.getAsLong()) {
      return false;
    }
    return minFreshMillis.isEmpty() || e.ttlMillis() - age >= minFreshMillis.getAsLong();
  }

  /**
   * Whether the client accepts {@code e} at {@code age} although it is past its lifetime (max-stale),
   * and the origin let it: never for a response marked {@code must-revalidate},
   * {@code proxy-revalidate} or {@code no-cache} (RFC 9111 §5.2.2.2, §5.2.2.8, §5.2.2.4).
   */
  boolean acceptsStale(StoredEntry e, long age) {
    if (maxStaleMillis.isEmpty() || age - e.ttlMillis() > maxStaleMillis.getAsLong() || !accepts(e, age)) {
      return false;
    }
    CacheControl cc = e.headers().sharedCacheControl();
    return !cc.has("must-revalidate") && !cc.has("proxy-revalidate") && !cc.isUnqualifiedNoCache();
  }
}
