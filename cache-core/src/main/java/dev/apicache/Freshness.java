package dev.apicache;

import java.time.Duration;

/**
 * The freshness state machine: where a stored response of a given age stands.
 *
 * <p>{@link #classify} is a pure function, monotonic in age: as age grows the state only moves
 * forward, FRESH → STALE → STALE_IF_ERROR → EXPIRED. A negative age (a clock stepped back) counts as
 * zero.
 */
final class Freshness {

  /** The states of a stored response. */
  public enum State {
    /** {@code age < ttl}: served as it is. */
    FRESH,
    /** {@code ttl <= age < ttl + swr}: served, and revalidated in the background. */
    STALE,
    /** {@code ttl + swr <= age < ttl + max(swr, sie)}: served only when the origin fails. */
    STALE_IF_ERROR,
    /** Beyond every window: never served. */
    EXPIRED
  }

  private Freshness() {}

  /** Classifies a response of {@code age} stored with these freshness times. */
  public static State classify(Duration age, Duration ttl, Duration staleWhileRevalidate, Duration staleIfError) {
    return classifyMillis(Math.max(0, age.toMillis()), ttl.toMillis(), staleWhileRevalidate.toMillis(),
        staleIfError.toMillis());
  }

  static State classifyMillis(long age, long ttl, long swr, long sie) {
    if (age < ttl) {
      return State.FRESH;
    }
    if (age - ttl < swr) {
      return State.STALE;
    }
    if (age - ttl < Math.max(swr, sie)) {
      return State.STALE_IF_ERROR;
    }
    return State.EXPIRED;
  }
}
