package dev.apicache.spi;

import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;

/**
 * Short exclusive leases, shared by every node of a store: how a distributed store lets one node
 * per cluster refresh a key while the others keep serving or wait (distributed single flight).
 * An optional capability, offered through {@link Store#leases()}.
 *
 * <p>A lease expires by itself after its time to live, so a node that dies holding one delays the
 * others by at most that long. Every call is bounded like the store's own. Thread-safe.
 *
 * @since 0.1
 */
public interface Leases {

  /** Takes the lease of {@code key}'s entry (in its partition) for {@code ttl}; false if another holder has it. */
  boolean tryAcquire(EntryKey key, Duration ttl);

  /** Gives back the lease of {@code key} if this node holds it; does nothing if it expired or is another node's. */
  void release(EntryKey key);

  /**
   * Waits until no one holds the lease of {@code key}, at most {@code timeout}.
   *
   * @return true when it was released (or expired), false when the wait timed out
   */
  boolean awaitRelease(EntryKey key, Duration timeout);

  /**
   * {@link #awaitRelease} for a store that can only ask whether a lease is held: asks {@code held}
   * until it says no, pausing 1 ms after the first ask and doubling up to 10 ms, at most
   * {@code timeout}. Each ask is bounded like any other store call.
   *
   * @return true when {@code held} said no, false when the wait timed out
   */
  static boolean pollUntilReleased(BooleanSupplier held, Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    long pauseMicros = 1_000;
    while (held.getAsBoolean()) {
      if (System.nanoTime() - deadline >= 0) {
        return false;
      }
      LockSupport.parkNanos(TimeUnit.MICROSECONDS.toNanos(pauseMicros)); // the polling interval itself
      pauseMicros = Math.min(10_000, pauseMicros * 2);
    }
    return true;
  }
}
