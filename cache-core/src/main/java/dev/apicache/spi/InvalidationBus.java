package dev.apicache.spi;

import java.util.Collection;

/**
 * Carries "these partitions' counters moved" between the nodes of a service, so that each node can
 * drop what it copied in-process (a near cache) from a shared store.
 *
 * <p>Delivery is fast but not guaranteed: a subscriber is told through
 * {@link Listener#connectionLost()} whenever messages may be lost, and must then stop trusting
 * anything it kept from earlier messages until {@link Listener#connectionRestored()}. Thread-safe.
 *
 * @since 0.1
 */
public interface InvalidationBus extends AutoCloseable {

  /**
   * Tells every subscriber, this node's included, that the counters of {@code partitions} moved.
   * Returns when the message is handed over, within a bounded time (a bus whose transport may
   * block hands it over asynchronously); a failure is reported as a
   * {@link dev.apicache.StoreException}.
   */
  void publish(Collection<String> partitions);

  /**
   * True when this bus confirms delivery: {@link #publishConfirmed} learns whether every receiver
   * applied a message, and {@link #deliveredBefore()} tells how current this node's listeners are.
   * A store over such a bus can then promise that no node serves a near copy after an invalidation
   * returns. False by default.
   */
  default boolean confirmsDelivery() {
    return false;
  }

  /**
   * Publishes as {@link #publish} does, then waits, at most {@code atMost} after the transport took
   * the message, until every node that received it has handed it to its listeners. Returns true if
   * every one did; false if some did not within {@code atMost} (or, by default, when the bus cannot
   * tell).
   */
  default boolean publishConfirmed(Collection<String> partitions, java.time.Duration atMost) {
    publish(partitions);
    return false;
  }

  /**
   * A {@link System#nanoTime()} reading such that every message whose publishing returned (on any
   * node) before it has been handed to this node's listeners; {@link Long#MIN_VALUE} when nothing is
   * known. Only meaningful when {@link #confirmsDelivery()}.
   */
  default long deliveredBefore() {
    return Long.MIN_VALUE;
  }

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
