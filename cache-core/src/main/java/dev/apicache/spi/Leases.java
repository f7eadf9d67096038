package dev.apicache.spi;

import java.time.Duration;

/**
 * Short exclusive leases, shared by every node of a store: how a distributed store lets one node
 * per cluster refresh a key while the others keep serving or wait (distributed single flight).
 * An optional capability, offered through {@link Store#leases()}.
 *
 * <p>A lease expires by itself after its time to live, so a node that dies holding one delays the
 * others by at most that long. Every call is bounded like the store's own. Thread-safe.
 */
public interface Leases {

  /** Takes the lease named {@code name} (in a key's partition) for {@code ttl}; false if another holder has it. */
  boolean tryAcquire(String name, Duration ttl);

  /** Gives back a lease this node holds; does nothing if it expired or is another node's. */
  void release(String name);

  /**
   * Waits until no one holds the lease named {@code name}, at most {@code timeout}.
   *
   * @return true when it was released (or expired), false when the wait timed out
   */
  boolean awaitRelease(String name, Duration timeout);
}
