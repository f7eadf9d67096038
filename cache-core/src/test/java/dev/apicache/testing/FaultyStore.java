package dev.apicache.testing;

import dev.apicache.StoreException;
import dev.apicache.spi.Counter;
import dev.apicache.spi.EntryKey;
import dev.apicache.spi.Fence;
import dev.apicache.spi.Store;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A real store with faults switched on and off by the test: every call can throw, hang until
 * {@link #heal()} (or interruption), or (for reads) return garbage. It declares its calls unbounded,
 * as a remote store without its own timeouts would, so the engine must bound them. Thread-safe.
 */
public final class FaultyStore implements Store {
  /** What every call does. */
  public enum Mode { HEALTHY, THROW, HANG, GARBAGE }

  private final Store delegate;
  private volatile Mode mode = Mode.HEALTHY;
  private volatile CountDownLatch release = new CountDownLatch(1);
  private final AtomicInteger calls = new AtomicInteger();
  private final AtomicInteger bumpsToFail = new AtomicInteger();

  public FaultyStore(Store delegate) {
    this.delegate = delegate;
  }

  /** Switches every later call to {@code next}. */
  public void mode(Mode next) {
    if (next == Mode.HANG) {
      release = new CountDownLatch(1);
    }
    mode = next;
  }

  /** Back to healthy; releases hanging calls. */
  public void heal() {
    mode = Mode.HEALTHY;
    release.countDown();
  }

  /**
   * The next {@code n} bumps throw, as a cluster does while it replaces a lost member; the store
   * is healthy otherwise.
   */
  public void failNextBumps(int n) {
    bumpsToFail.set(n);
  }

  /** Calls made so far, faulty ones included. */
  public int calls() {
    return calls.get();
  }

  private void fault() {
    calls.incrementAndGet();
    switch (mode) {
      case THROW:
        throw new StoreException("injected store fault");
      case HANG:
        try {
          release.await();
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new StoreException("interrupted while hanging");
        }
        break;
      default:
        break;
    }
  }

  @Override
  public Optional<byte[]> get(EntryKey key) {
    fault();
    if (mode == Mode.GARBAGE) {
      return Optional.of(new byte[] {(byte) 0xAC, 0x01, 9, 9, 9});
    }
    return delegate.get(key);
  }

  @Override
  public Fence fence(List<Counter> counters) {
    fault();
    return delegate.fence(counters);
  }

  @Override
  public boolean put(EntryKey key, byte[] entry, Duration timeToLive, Fence fence) {
    fault();
    return delegate.put(key, entry, timeToLive, fence);
  }

  @Override
  public void bump(Collection<Counter> counters) {
    if (bumpsToFail.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
      calls.incrementAndGet();
      throw new StoreException("injected bump fault");
    }
    fault();
    delegate.bump(counters);
  }

  @Override
  public boolean callsAreBounded() {
    return false;
  }

  @Override
  public void close() {
    release.countDown();
    delegate.close();
  }
}
