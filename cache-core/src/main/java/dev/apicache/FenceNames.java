package dev.apicache;

import dev.apicache.spi.Counter;

/**
 * The generation counters that fence entries: one per policy (events), per canonical URL (writes)
 * and per tag. Each is in its policy's partition, like the policy's entries, so that a store can
 * keep an entry and every counter of its fence together (one Redis Cluster slot, say).
 *
 * <p>Beside them, the soft counters (one per policy, one per URL) fence nothing: an entry records
 * their values when its fill starts, and a read that finds them moved serves the entry as stale.
 */
final class FenceNames {
  private FenceNames() {}

  /** Bumped by an event the policy listens to: every entry of the policy. */
  static Counter policy(CachePolicy p) {
    return p.policyCounter;
  }

  /** Bumped by a write to the URL: every entry of the path, whatever its host or vary values. */
  static Counter url(CachePolicy p, String canonicalPath) {
    return new Counter(p.partition(), "u:" + canonicalPath);
  }

  /** Bumped by a soft purge of the policy: every entry of it is stale from then on. */
  static Counter softPolicy(CachePolicy p) {
    return p.softPolicyCounter;
  }

  /** Bumped by a soft purge of the URL: every entry of the path is stale from then on. */
  static Counter softUrl(CachePolicy p, String canonicalPath) {
    return new Counter(p.partition(), "su:" + canonicalPath);
  }

  /** Bumped by a tag invalidation: every entry of the policy carrying the tag. */
  static Counter tag(CachePolicy p, String tag) {
    return new Counter(p.partition(), "t:" + tag);
  }
}
