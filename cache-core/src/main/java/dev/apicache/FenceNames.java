package dev.apicache;

/**
 * The names of the generation counters that fence entries. Each starts with the policy's partition,
 * like its keys, so that a store can keep an entry and every counter of its fence together (one
 * Redis Cluster slot, say).
 */
final class FenceNames {
  private FenceNames() {}

  /** Bumped by an event the policy listens to: every entry of the policy. */
  static String policy(CachePolicy p) {
    return p.partition() + "|p:" + p.id();
  }

  /** Bumped by a write to the URL: every entry of the path, whatever its host or vary values. */
  static String url(CachePolicy p, String canonicalPath) {
    return p.partition() + "|u:" + canonicalPath;
  }

  /** Bumped by a tag invalidation: every entry of the policy carrying the tag. */
  static String tag(CachePolicy p, String tag) {
    return p.partition() + "|t:" + tag;
  }
}
