package dev.apicache;

import java.time.Duration;
import java.util.List;

/**
 * A stored response with what the state machine needs: when it was stored and the freshness times
 * it was stored with, so that classifying it never needs the policy that stored it.
 */
record StoredEntry(
    int status,
    Headers headers,
    Bytes body,
    EntityTag etag,
    long storedAtMillis,
    long ttlMillis,
    long swrMillis,
    long sieMillis,
    List<String> tags) {

  Freshness.State classify(long nowMillis) {
    return Freshness.classifyMillis(Math.max(0, nowMillis - storedAtMillis), ttlMillis, swrMillis, sieMillis);
  }

  long ageMillis(long nowMillis) {
    return Math.max(0, nowMillis - storedAtMillis);
  }

  /** How long a store must keep the entry: {@code ttl + max(swr, sie)}. */
  Duration retention() {
    return Duration.ofMillis(ttlMillis + Math.max(swrMillis, sieMillis));
  }
}
