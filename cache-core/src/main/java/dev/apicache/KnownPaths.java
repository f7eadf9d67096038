package dev.apicache;

import java.util.concurrent.atomic.AtomicReferenceArray;

/**
 * The engine's memory of request paths: a fixed table of {@link KnownPath}s, one per slot, the
 * newest path for a slot replacing the one before. Bounded by construction ({@link #SLOTS} paths of
 * at most {@link #MAX_PATH} characters, about 20 MiB at worst); longer paths are read afresh each
 * time. Lock-free: a lookup is one array read and a string comparison.
 */
final class KnownPaths {
  static final int SLOTS = 16384;
  static final int MAX_PATH = 256;

  private final AtomicReferenceArray<KnownPath> slots = new AtomicReferenceArray<>(SLOTS);
  private final CachePolicies policies;
  private final StatsRecorder stats;

  KnownPaths(CachePolicies policies, StatsRecorder stats) {
    this.policies = policies;
    this.stats = stats;
  }

  /** What is known of {@code path}, read now if it is not remembered. */
  KnownPath of(String path) {
    if (path.length() > MAX_PATH) {
      return KnownPath.read(path, policies, stats);
    }
    int h = path.hashCode();
    int i = (h ^ (h >>> 16)) & (SLOTS - 1);
    KnownPath known = slots.getAcquire(i);
    if (known != null && known.path.equals(path)) {
      return known;
    }
    known = KnownPath.read(path, policies, stats);
    slots.setRelease(i, known);
    return known;
  }
}
