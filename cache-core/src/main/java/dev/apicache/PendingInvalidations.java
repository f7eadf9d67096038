package dev.apicache;

import dev.apicache.spi.Counter;
import java.lang.System.Logger.Level;
import java.time.Duration;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import org.jspecify.annotations.Nullable;

/**
 * Invalidations the store did not record within the engine's patience. They are never dropped: one
 * background thread retries them, with backoff, until the store records them or the engine closes.
 * Until then every policy they fence is answered from the origin on this node (admission bypasses
 * it), so this node serves nothing they should have dropped, whatever the store does meanwhile.
 *
 * <p>The set is bounded: past {@link #MAX_COUNTERS}, a partition's URL and tag counters give way to
 * its policy counter, which fences every entry of the policy. Thread-safe.
 */
final class PendingInvalidations implements AutoCloseable {
  private static final System.Logger LOG = System.getLogger("dev.apicache.store");

  /** How many counters may wait before they are folded into their policies' counters. */
  static final int MAX_COUNTERS = 10_000;
  private static final long FIRST_RETRY_NANOS = TimeUnit.MILLISECONDS.toNanos(20);
  private static final long LAST_RETRY_NANOS = TimeUnit.SECONDS.toNanos(1);

  private final GuardedStore store;
  /** Each policy's own counter, by partition: what a partition's pending counters fold into. */
  private final Map<String, Counter> policyCounters = new HashMap<>();
  private final ReentrantLock lock = new ReentrantLock();
  private final Condition changed = lock.newCondition();
  /**
   * Each pending counter with the number of the last {@link #add} that named it: a try that began
   * before a later add cannot stand for it, so only counters not named again since are taken off.
   */
  private final Map<Counter, Long> pending = new LinkedHashMap<>(); // guarded by lock
  private long adds; // guarded by lock
  /** The partitions with a pending counter; read on every admission, so published as a new set. */
  private volatile Set<String> blocked = Set.of();
  private @Nullable Thread retrier; // guarded by lock
  private boolean closed; // guarded by lock

  PendingInvalidations(GuardedStore store, List<CachePolicy> policies) {
    this.store = store;
    for (CachePolicy p : policies) {
      policyCounters.put(p.partition(), FenceNames.policy(p));
    }
  }

  /** Whether a pending invalidation fences entries of {@code policy}: then the cache must not answer it. */
  boolean blocks(CachePolicy policy) {
    Set<String> now = blocked;
    return !now.isEmpty() && now.contains(policy.partition());
  }

  /** How many counters wait to be recorded. */
  int size() {
    lock.lock();
    try {
      return pending.size();
    } finally {
      lock.unlock();
    }
  }

  /**
   * Keeps {@code counters}, which the store did not record, and has them retried until it does;
   * this node stops answering their policies from the cache before this returns.
   */
  void add(Collection<Counter> counters) {
    lock.lock();
    try {
      if (closed) {
        LOG.log(Level.WARNING, "apicache engine closed; an invalidation the store did not record is dropped");
        return;
      }
      adds++;
      for (Counter c : counters) {
        pending.put(c, adds);
      }
      if (pending.size() > MAX_COUNTERS) {
        fold();
      }
      publish();
      if (retrier == null) {
        retrier = new Thread(this::retry, "apicache-pending-invalidations");
        retrier.setDaemon(true);
        retrier.start();
      }
      changed.signalAll();
    } finally {
      lock.unlock();
    }
  }

  /** Replaces each partition's counters with its policy counter, which covers all of them. */
  private void fold() {
    Map<Counter, Long> folded = new LinkedHashMap<>();
    pending.forEach((c, add) -> folded.merge(policyCounters.getOrDefault(c.partition(), c), add, Math::max));
    pending.clear();
    pending.putAll(folded);
  }

  private void publish() {
    Set<String> partitions = new HashSet<>();
    for (Counter c : pending.keySet()) {
      partitions.add(c.partition());
    }
    blocked = Set.copyOf(partitions);
  }

  private void retry() {
    long backoff = FIRST_RETRY_NANOS;
    while (true) {
      Map<Counter, Long> batch;
      lock.lock();
      try {
        while (pending.isEmpty() && !closed) {
          changed.awaitUninterruptibly();
        }
        if (closed) {
          return;
        }
        batch = new LinkedHashMap<>(pending);
      } finally {
        lock.unlock();
      }
      if (store.bumpOnce(batch.keySet())) {
        lock.lock();
        try {
          batch.forEach(pending::remove); // removes a counter only if no add named it since
          publish();
        } finally {
          lock.unlock();
        }
        LOG.log(Level.INFO, "apicache recorded " + batch.size() + " pending invalidation(s); their policies are "
            + "served from the cache again");
        backoff = FIRST_RETRY_NANOS;
        continue;
      }
      lock.lock();
      try {
        if (!closed) {
          changed.awaitNanos(backoff); // a pause between tries of a failing store; close ends it
        }
      } catch (InterruptedException e) {
        return;
      } finally {
        lock.unlock();
      }
      backoff = Math.min(backoff * 2, LAST_RETRY_NANOS);
    }
  }

  /** Stops retrying; what is still pending is logged as lost. */
  @Override
  public void close() {
    Thread t;
    lock.lock();
    try {
      closed = true;
      if (!pending.isEmpty()) {
        LOG.log(Level.WARNING, "apicache engine closed with " + pending.size() + " invalidation(s) the store never "
            + "recorded; other nodes may serve what they fence until it expires");
      }
      changed.signalAll();
      t = retrier;
    } finally {
      lock.unlock();
    }
    if (t != null) {
      try {
        t.join(Duration.ofSeconds(5).toMillis());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }
}
