package dev.apicache.spi;

import java.util.Collection;

/**
 * Carries "these partitions' counters moved" between the nodes of a service, so that each node can
 * drop what it copied in-process (a near cache) from a shared store.
 *
 * <p>Delivery is fast but not guaranteed: a subscriber is told through
 * {@link Listener#connectionLost()} whenever messages may be lost, and must then stop trusting
 * anything it kept from earlier messages until {@link Listener#connectionRestored()}. Thread-safe.
 */
public interface InvalidationBus extends AutoCloseable {

  /**
   * Tells every subscriber, this node's included, that the counters of {@code partitions} moved.
   * Returns when the message is handed over, within a bounded time (a bus whose transport may
   * block hands it over asynchronously); a failure is reported as a
   * {@link dev.apicache.StoreException}.
   */
  void publish(Collection<String> partitions);

  /** Registers {@code listener} for every later message and connection change. */
  void subscribe(Listener listener);

  /** True while messages are being received. */
  boolean isConnected();

  @Override
  void close();

  /** Receives the bus's messages, on the bus's own thread; must not block. */
  interface Listener {
    /** The counters of {@code partitions} moved on some node. */
    void invalidated(Collection<String> partitions);

    /** Messages may be lost from now on, until {@link #connectionRestored()}. */
    void connectionLost();

    /** Messages flow again; some may have been lost in between. */
    void connectionRestored();
  }
}
