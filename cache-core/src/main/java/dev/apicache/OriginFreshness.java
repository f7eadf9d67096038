package dev.apicache;

import static java.util.Objects.requireNonNull;

import dev.apicache.http.CacheControl;
import dev.apicache.http.HeaderNames;
import dev.apicache.http.HttpDate;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;

/**
 * How long a response may be served by a shared cache, taken from the response itself (RFC 9111
 * §4.2, RFC 5861): a pure function of its headers, when it was asked for and received, and the
 * policy's bounds. No clock, no store.
 *
 * <ul>
 *   <li><b>Lifetime</b> (§4.2.1): {@code s-maxage}, else {@code max-age}, else {@code Expires} minus
 *       {@code Date} (an invalid {@code Expires} means already stale), else a heuristic (§4.2.2):
 *       a tenth of the time since {@code Last-Modified}, capped, only for a heuristically cacheable
 *       status or a {@code public} response. Then the policy's floor and ceiling.</li>
 *   <li><b>Age</b> (§4.2.3): the larger of {@code Date}'s apparent age and the {@code Age} header plus
 *       the request's round trip; the entry counts its age from there.</li>
 *   <li><b>Stale serving</b>: only what the response grants with {@code stale-while-revalidate} and
 *       {@code stale-if-error}; none when {@code must-revalidate} or {@code proxy-revalidate}
 *       forbid it (§5.2.2.2, §5.2.2.8) or {@code no-cache} requires validation on every use
 *       (§5.2.2.4). {@code s-maxage} carries {@code proxy-revalidate}'s meaning for stale copies the
 *       response did not grant; an explicit grant beside it is honoured, as CDNs do.</li>
 *   <li><b>Not storable</b>: {@code no-store} or {@code private} (§5.2.2.5, §5.2.2.7), and a
 *       response with no explicit lifetime whose status is not heuristically cacheable.</li>
 * </ul>
 */
final class OriginFreshness {
  /** RFC 9110 §15.1: the statuses a cache may store with a heuristic lifetime. */
  static final Set<Integer> HEURISTICALLY_CACHEABLE = Set.of(200, 203, 204, 206, 300, 301, 308, 404, 405, 410, 414,
      501);

  private final long lifetimeMillis;
  private final long initialAgeMillis;
  private final long staleWhileRevalidateMillis;
  private final long staleIfErrorMillis;
  private final boolean heuristic;

  private OriginFreshness(long lifetimeMillis, long initialAgeMillis, long staleWhileRevalidateMillis,
      long staleIfErrorMillis, boolean heuristic) {
    this.lifetimeMillis = lifetimeMillis;
    this.initialAgeMillis = initialAgeMillis;
    this.staleWhileRevalidateMillis = staleWhileRevalidateMillis;
    this.staleIfErrorMillis = staleIfErrorMillis;
    this.heuristic = heuristic;
  }

  /**
   * What {@code status} and {@code headers} allow, for a response to a request sent at
   * {@code requestTimeMillis} and received at {@code responseTimeMillis}; empty when a shared cache
   * must not store it.
   */
  public static Optional<OriginFreshness> of(int status, Headers headers, long requestTimeMillis,
      long responseTimeMillis, CachePolicy.OriginLimits limits) {
    requireNonNull(headers, "headers");
    requireNonNull(limits, "limits");
    if (responseTimeMillis < requestTimeMillis) {
      throw new IllegalArgumentException("response received before the request was sent");
    }
    CacheControl cc = headers.sharedCacheControl();
    if (cc.isNoStore() || cc.isPrivate()) {
      return Optional.empty();
    }
    Optional<Instant> date = headers.first(HeaderNames.DATE).flatMap(HttpDate::parse);
    long dateMillis = date.map(Instant::toEpochMilli).orElse(responseTimeMillis);

    long lifetime;
    boolean heuristic = false;
    OptionalLong explicit = cc.sharedMaxAge().isPresent() ? cc.sharedMaxAge() : cc.maxAge();
    boolean invalidExplicit = (cc.has("s-maxage") && cc.sharedMaxAge().isEmpty())
        || (cc.sharedMaxAge().isEmpty() && cc.has("max-age") && cc.maxAge().isEmpty());
    if (invalidExplicit) {
      lifetime = 0; // freshness the origin tried and failed to state: stale, never a heuristic (§4.2.1)
    } else if (explicit.isPresent()) {
      lifetime = millis(explicit.getAsLong());
    } else if (headers.contains(HeaderNames.EXPIRES)) {
      // an Expires that is not a date means "already expired" (§5.3)
      lifetime = headers.first(HeaderNames.EXPIRES).flatMap(HttpDate::parse)
          .map(e -> Math.max(0, e.toEpochMilli() - dateMillis)).orElse(0L);
    } else if (HEURISTICALLY_CACHEABLE.contains(status) || cc.has("public")) {
      Optional<Instant> lastModified = headers.first(HeaderNames.LAST_MODIFIED).flatMap(HttpDate::parse);
      long sinceModified = lastModified.map(lm -> Math.max(0, dateMillis - lm.toEpochMilli())).orElse(0L);
      lifetime = Math.min(sinceModified / 10, limits.heuristicCap().toMillis());
      heuristic = true;
    } else {
      return Optional.empty();
    }
    if (cc.isUnqualifiedNoCache()) {
      lifetime = 0; // stored, but validated before every use
    } else {
      lifetime = Math.max(limits.minTtl().toMillis(), Math.min(limits.maxTtl().toMillis(), lifetime));
    }

    long apparentAge = Math.max(0, responseTimeMillis - dateMillis);
    // a list-valued Age counts by its first member; an invalid one is ignored (§5.1)
    long ageValue = headers.first(HeaderNames.AGE).map(a -> a.split(",", 2)[0]).map(CacheControl::deltaSeconds)
        .map(s -> millis(s.orElse(0))).orElse(0L);
    long correctedAge = ageValue + (responseTimeMillis - requestTimeMillis);
    long initialAge = Math.max(apparentAge, correctedAge);

    boolean mayServeStale = !cc.isUnqualifiedNoCache() && !cc.has("must-revalidate") && !cc.has("proxy-revalidate");
    long swr = mayServeStale ? directiveSeconds(cc, "stale-while-revalidate") : 0;
    long sie = mayServeStale ? directiveSeconds(cc, "stale-if-error") : 0;
    return Optional.of(new OriginFreshness(lifetime, initialAge, swr, sie, heuristic));
  }

  /** {@code seconds} in milliseconds, saturating rather than overflowing. */
  static long millis(long seconds) {
    return seconds > Long.MAX_VALUE / 2000 ? Long.MAX_VALUE / 2 : seconds * 1000;
  }

  /** A granted window in milliseconds: 0 when absent or malformed. */
  private static long directiveSeconds(CacheControl cc, String name) {
    return millis(cc.seconds(name).orElse(0));
  }

  /** How long the response is fresh from its origin's point of view, bounded by the policy. */
  public Duration lifetime() {
    return Duration.ofMillis(lifetimeMillis);
  }

  /** Its age when received: time in upstream caches and on the way (§4.2.3). */
  public Duration initialAge() {
    return Duration.ofMillis(initialAgeMillis);
  }

  /** How long past its lifetime it may be served while it is revalidated (RFC 5861). */
  public Duration staleWhileRevalidate() {
    return Duration.ofMillis(staleWhileRevalidateMillis);
  }

  /** How long past its lifetime it may replace an origin error (RFC 5861). */
  public Duration staleIfError() {
    return Duration.ofMillis(staleIfErrorMillis);
  }

  /** Whether the lifetime is a heuristic one (§4.2.2), from {@code Last-Modified} and capped. */
  public boolean isHeuristic() {
    return heuristic;
  }

  /** Whether it is still fresh at {@code nowMillis}, when it was received at {@code responseTimeMillis}. */
  public boolean isFresh(long responseTimeMillis, long nowMillis) {
    return initialAgeMillis + Math.max(0, nowMillis - responseTimeMillis) < lifetimeMillis;
  }

  @Override
  public String toString() {
    return "OriginFreshness[lifetime=" + lifetime() + ", initialAge=" + initialAge() + ", swr="
        + staleWhileRevalidate() + ", sie=" + staleIfError() + (heuristic ? ", heuristic" : "") + "]";
  }
}
