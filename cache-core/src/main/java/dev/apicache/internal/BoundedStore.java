package dev.apicache.internal;

import static java.util.Objects.requireNonNull;

import dev.apicache.StoreException;
import dev.apicache.StoreTimeoutException;
import dev.apicache.spi.Counter;
import dev.apicache.spi.EntryKey;
import dev.apicache.spi.Fence;
import dev.apicache.spi.Footprint;
import dev.apicache.spi.Leases;
import dev.apicache.spi.Store;
import dev.apicache.spi.Watched;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * A store whose every call returns or throws within {@code timeout}, over one that may hang (a
 * Hazelcast member waiting out a migration): each call runs on a bounded pool of this store's own
 * and is abandoned at the timeout with a {@link StoreTimeoutException}. A store that hangs holds at
 * most 16 threads and 256 waiting calls; past that, calls are refused at once. Waiting for a lease
 * to be released is left to the delegate, whose polls each bound themselves.
 *
 * <p>The engine does this itself for a store that says its calls are not bounded; a store that
 * sits over another (the tiered store over a shared one) uses it so that its own fast calls need
 * no hand-off. Thread-safe; {@link #close()} closes the delegate and stops the pool.
 */
public final class BoundedStore implements Store {
  private final Store delegate;
  private final long timeoutNanos;
  private final ThreadPoolExecutor pool = EngineThreads.bounded("apicache-store", 16, 256);
  private final Optional<Leases> leases;

  private BoundedStore(Store delegate, Duration timeout) {
    this.delegate = delegate;
    this.timeoutNanos = timeout.toNanos();
    this.leases = delegate.leases().map(l -> new Leases() {
      @Override
      public boolean tryAcquire(EntryKey key, Duration ttl) {
        return timed("lease", () -> l.tryAcquire(key, ttl));
      }

      @Override
      public void release(EntryKey key) {
        timed("lease release", () -> {
          l.release(key);
          return Boolean.TRUE;
        });
      }

      @Override
      public boolean awaitRelease(EntryKey key, Duration timeout) {
        return l.awaitRelease(key, timeout);
      }
    });
  }

  /** {@code store} with its calls bounded by {@code timeout}; {@code store} itself when they already are. */
  public static Store of(Store store, Duration timeout) {
    requireNonNull(store, "store");
    requireNonNull(timeout, "timeout");
    if (timeout.isNegative() || timeout.isZero()) {
      throw new IllegalArgumentException("timeout must be > 0 but was " + timeout);
    }
    return store.callsAreBounded() ? store : new BoundedStore(store, timeout);
  }

  @Override
  public Optional<byte[]> get(EntryKey key) {
    return timed("get", () -> delegate.get(key));
  }

  @Override
  public Optional<byte[]> get(EntryKey key, List<Counter> fenceCounters) {
    return timed("get", () -> delegate.get(key, fenceCounters));
  }

  @Override
  public Optional<Watched> getWatching(EntryKey key, List<Counter> fenceCounters, List<Counter> watched) {
    return timed("get", () -> delegate.getWatching(key, fenceCounters, watched));
  }

  @Override
  public boolean readsCountersWithEntries() {
    return delegate.readsCountersWithEntries();
  }

  @Override
  public Fence fence(List<Counter> counters) {
    return timed("fence", () -> delegate.fence(counters));
  }

  @Override
  public boolean put(EntryKey key, byte[] entry, Duration timeToLive, Fence fence) {
    return timed("put", () -> delegate.put(key, entry, timeToLive, fence));
  }

  @Override
  public void bump(Collection<Counter> counters) {
    timed("bump", () -> {
      delegate.bump(counters);
      return Boolean.TRUE;
    });
  }

  /** Bounded: that is what this store is for. */
  @Override
  public boolean callsAreBounded() {
    return true;
  }

  @Override
  public Optional<Leases> leases() {
    return leases;
  }

  @Override
  public Optional<Footprint> footprint() {
    return delegate.footprint();
  }

  @Override
  public void close() {
    pool.shutdownNow();
    delegate.close();
  }

  /** Runs {@code call} on the pool and waits at most the timeout; a fault arrives as a {@link StoreException}. */
  public static <T> T timed(ThreadPoolExecutor pool, long timeoutNanos, String operation, Callable<T> call) {
    Future<T> future;
    try {
      future = pool.submit(call);
    } catch (RejectedExecutionException e) {
      throw new StoreTimeoutException("store " + operation + " refused: every store thread is busy");
    }
    try {
      return future.get(timeoutNanos, TimeUnit.NANOSECONDS);
    } catch (TimeoutException e) {
      future.cancel(true);
      throw new StoreTimeoutException("store " + operation + " timed out after "
          + TimeUnit.NANOSECONDS.toMillis(timeoutNanos) + " ms");
    } catch (ExecutionException e) {
      Throwable cause = e.getCause();
      if (cause instanceof StoreException se) {
        throw se;
      }
      throw new StoreException("store " + operation + " failed: " + cause, cause);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      future.cancel(true);
      throw new StoreException("interrupted while waiting for store " + operation, e);
    }
  }

  private <T> T timed(String operation, Callable<T> call) {
    return timed(pool, timeoutNanos, operation, call);
  }
}
