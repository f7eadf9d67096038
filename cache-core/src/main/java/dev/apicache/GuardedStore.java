package dev.apicache;

import dev.apicache.internal.BoundedStore;
import dev.apicache.internal.EngineThreads;
import dev.apicache.spi.Counter;
import dev.apicache.spi.EntryKey;
import dev.apicache.spi.Fence;
import dev.apicache.spi.Footprint;
import dev.apicache.spi.Leases;
import dev.apicache.spi.Store;
import dev.apicache.spi.Watched;
import java.lang.System.Logger.Level;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;

/**
 * The engine's view of a {@link Store}: every fault is caught, counted and logged once per outage,
 * and a store whose calls are not bounded by itself is called through a bounded pool with a timeout.
 * Reads fail open (a miss, no fence); invalidations report failure, because a lost invalidation would
 * let stale data be served.
 *
 * <p>A circuit breaker keeps a failing store from costing every request its timeout: after
 * {@link #FAILURES_TO_OPEN} consecutive faults, calls fail at once for {@link #OPEN_FOR}; then calls
 * go through again, and the first success closes the circuit while a failure opens it anew.
 */
final class GuardedStore implements AutoCloseable {
  private static final System.Logger LOG = System.getLogger("dev.apicache.store");

  private final Store store;
  private final Duration timeout;
  private final @Nullable ThreadPoolExecutor pool;
  private final AtomicBoolean failing = new AtomicBoolean();
  static final int FAILURES_TO_OPEN = 5;
  static final Duration OPEN_FOR = Duration.ofSeconds(1);
  private final AtomicInteger consecutiveFailures = new AtomicInteger();
  private volatile long openUntilNanos;

  private final Optional<Leases> leases;
  private final EngineObserver observer;

  /** How long an invalidation is retried before its caller hears that it failed. */
  private final Duration invalidationPatience;

  GuardedStore(Store store, Duration timeout) {
    this(store, timeout, Duration.ofSeconds(10));
  }

  GuardedStore(Store store, Duration timeout, Duration invalidationPatience) {
    this(store, timeout, invalidationPatience, EngineObserver.NONE);
  }

  GuardedStore(Store store, Duration timeout, Duration invalidationPatience, EngineObserver observer) {
    this.observer = observer;
    this.store = store;
    this.timeout = timeout;
    this.invalidationPatience = invalidationPatience;
    this.pool = store.callsAreBounded() ? null : EngineThreads.bounded("apicache-store", 16, 256);
    this.leases = store.leases();
    this.readsCounters = store.readsCountersWithEntries();
  }

  private final boolean readsCounters;

  boolean hasLeases() {
    return leases.isPresent();
  }

  /**
   * True when this node may go ahead with the work the lease guards: it took the lease, or the
   * store has no leases, or they are failing (then every node goes ahead: fail open).
   */
  boolean tryLease(EntryKey name, Duration ttl, StatsRecorder.Scope scope) {
    if (leases.isEmpty()) {
      return true;
    }
    try {
      Boolean taken = call("lease", () -> leases.get().tryAcquire(name, ttl));
      return taken == null || taken;
    } catch (StoreException e) {
      scope.storeErrors.increment();
      return true;
    }
  }

  void releaseLease(EntryKey name, StatsRecorder.Scope scope) {
    if (leases.isPresent()) {
      try {
        call("lease release", () -> {
          leases.get().release(name);
          return Boolean.TRUE;
        });
      } catch (StoreException e) {
        scope.storeErrors.increment(); // the lease then expires by itself
      }
    }
  }

  /**
   * Waits, at most {@code wait}, for another node to give a lease back. Called directly rather than
   * under the store timeout: the wait is longer by design, and each of its polls is bounded.
   */
  void awaitLease(EntryKey name, Duration wait, StatsRecorder.Scope scope) {
    if (leases.isPresent()) {
      try {
        leases.get().awaitRelease(name, wait);
      } catch (RuntimeException e) {
        scope.storeErrors.increment();
      }
    }
  }

  /**
   * The entry under {@code key} with the current values of {@code watched}; empty on a miss or a
   * fault (counted in {@code scope}). {@code fenceCounters} is asked for only when the store reads
   * counters with entries.
   */
  Optional<Watched> getWatching(EntryKey key, Supplier<List<Counter>> fenceCounters, List<Counter> watched,
      StatsRecorder.Scope scope) {
    // the fence's names cost a tag expansion: only a store that reads them with the entry gets them
    List<Counter> told = readsCounters ? fenceCounters.get() : List.of();
    try {
      Optional<Watched> found = call("get", () -> store.getWatching(key, told, watched));
      return found == null ? Optional.empty() : found;
    } catch (StoreException e) {
      scope.storeErrors.increment();
      return Optional.empty();
    }
  }

  /** True while calls are skipped after repeated faults; the first call after the pause tries the store again. */
  boolean circuitOpen() {
    long openUntil = openUntilNanos;
    return openUntil != 0 && System.nanoTime() - openUntil < 0;
  }

  /** What the store holds, when it knows; empty on any fault, which metrics must never cause. */
  Optional<Footprint> footprint() {
    try {
      return store.footprint();
    } catch (RuntimeException e) {
      return Optional.empty();
    }
  }

  /** The fence for a fill; empty on a fault (counted), and then nothing is stored. */
  Optional<Fence> fence(List<Counter> counters, StatsRecorder.Scope scope) {
    try {
      return Optional.ofNullable(call("fence", () -> store.fence(counters)));
    } catch (StoreException e) {
      scope.storeErrors.increment();
      return Optional.empty();
    }
  }

  /** Stores an entry; false when the fence moved or on a fault (counted). */
  boolean put(EntryKey key, byte[] entry, Duration ttl, Fence fence, StatsRecorder.Scope scope) {
    try {
      Boolean stored = call("put", () -> store.put(key, entry, ttl, fence));
      return stored != null && stored;
    } catch (StoreException e) {
      scope.storeErrors.increment();
      return false;
    }
  }

  /**
   * Bumps counters, retrying a failed bump (through an open circuit too: reads may skip a failing
   * store, an invalidation may not) with backoff for up to the invalidation patience, so that a
   * store that recovers within it, such as a cluster replacing a lost member, loses no invalidation
   * and the write that caused it answers only once it is recorded. Throws {@link StoreException}
   * (each failed try counted) when the store could not record it within that time.
   */
  void bump(Collection<Counter> counters, StatsRecorder.Scope scope) {
    long deadline = System.nanoTime() + invalidationPatience.toNanos();
    long backoffNanos = TimeUnit.MILLISECONDS.toNanos(5);
    while (true) {
      try {
        call("bump", false, () -> {
          store.bump(counters);
          return Boolean.TRUE;
        });
        return;
      } catch (StoreException e) {
        scope.storeErrors.increment();
        if (System.nanoTime() + backoffNanos - deadline >= 0) {
          throw e;
        }
        try {
          TimeUnit.NANOSECONDS.sleep(backoffNanos); // backoff between tries of a failing store
        } catch (InterruptedException interrupted) {
          Thread.currentThread().interrupt();
          throw e;
        }
        backoffNanos = Math.min(backoffNanos * 2, TimeUnit.MILLISECONDS.toNanos(250));
      }
    }
  }

  /** One try at bumping {@code counters}, through an open circuit too: whether the store recorded it. */
  boolean bumpOnce(Collection<Counter> counters) {
    try {
      call("bump", false, () -> {
        store.bump(counters);
        return Boolean.TRUE;
      });
      return true;
    } catch (StoreException e) {
      return false;
    }
  }

  private <T> T call(String operation, Callable<T> call) {
    return call(operation, true, call);
  }

  private <T> T call(String operation, boolean circuit, Callable<T> call) {
    long openUntil = openUntilNanos;
    if (circuit && openUntil != 0 && System.nanoTime() - openUntil < 0) {
      throw new StoreException("store " + operation + " skipped: the store is failing (circuit open)");
    }
    T result;
    EngineObserver.Scope observed = observer.storeCall(operation);
    try {
      result = pool == null ? call.call() : timed(operation, call);
    } catch (StoreException e) {
      observed.failed(e);
      fault(operation, e);
      throw e;
    } catch (Exception | LinkageError e) {
      StoreException wrapped = new StoreException("store " + operation + " failed: " + e, e);
      observed.failed(wrapped);
      fault(operation, wrapped);
      throw wrapped;
    } finally {
      observed.close();
    }
    if (failing.get() && failing.compareAndSet(true, false)) {
      LOG.log(Level.INFO, "apicache store recovered; serving from the cache again");
    }
    if (openUntilNanos != 0 || consecutiveFailures.get() != 0) {
      openUntilNanos = 0;
      consecutiveFailures.set(0);
    }
    return result;
  }

  private <T> T timed(String operation, Callable<T> call) {
    return BoundedStore.timed(pool, timeout.toNanos(), operation, call);
  }

  private void fault(String operation, StoreException e) {
    if (consecutiveFailures.incrementAndGet() >= FAILURES_TO_OPEN) {
      long until = System.nanoTime() + OPEN_FOR.toNanos();
      openUntilNanos = until == 0 ? 1 : until;
    }
    if (failing.compareAndSet(false, true)) {
      LOG.log(Level.WARNING, "apicache store " + operation + " failed; serving from the origin until it recovers: "
          + e.getMessage());
    }
  }

  @Override
  public void close() {
    stopRetrying();
    store.close();
  }

  /** Stops the engine's own threads around the store, leaving the store itself open. */
  void stopRetrying() {
    if (pool != null) {
      pool.shutdownNow();
    }
  }
}
