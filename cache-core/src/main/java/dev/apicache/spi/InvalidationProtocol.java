package dev.apicache.spi;

import static java.util.Objects.requireNonNull;

import java.security.SecureRandom;
import java.time.Duration;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentNavigableMap;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The confirmed-invalidation protocol, written once for every {@link InvalidationBus} that
 * {@linkplain InvalidationBus#confirmsDelivery() confirms delivery}; a bus binds it to its transport
 * (a pub/sub channel, a ringbuffer) and keeps only what that transport needs.
 *
 * <p>What the protocol does:
 * <ul>
 *   <li><b>Messages.</b> One text format on every transport: {@link #plain} for an invalidation that
 *       wants no answer, {@link Publication#text()} for one its publisher waits on. A bus hands every
 *       message it receives, its own included, to {@link #received}: the listeners get the
 *       partitions, then the publisher gets an acknowledgement through the bus's
 *       {@link Acknowledger}. A bus hands every acknowledgement addressed to this node to
 *       {@link #acknowledged}.</li>
 *   <li><b>Waiting for acknowledgements.</b> A confirmed publish opens a {@link Publication}, sends
 *       its text, and waits for a number of receivers (what a pub/sub transport counts) or for a set
 *       of nodes (what a registry lists).</li>
 *   <li><b>The delivery instant.</b> A bus probes its transport's order (a message to itself, a read
 *       of a log's tail) and {@linkplain #probeSent records} when each probe was sent; when the bus
 *       has applied everything up to a probe ({@link #deliveredThrough}), every message published
 *       before that probe was sent has reached the listeners: {@link #deliveredBefore()}.</li>
 *   <li><b>Connection state.</b> {@link #lost}, {@link #restored} and {@link #startOver} tell the
 *       listeners each change once, in order, and never after {@link #close}.</li>
 * </ul>
 * Thread-safe: a bus calls it from its transport's threads and from publishing threads at once.
 * Listeners are called on the caller's thread and must not block.
 *
 * @since 0.1
 */
public final class InvalidationProtocol {
  /** How many probes awaiting their answer are remembered; older ones were lost with a connection. */
  private static final int PROBES_KEPT = 64;

  /** Sends an acknowledgement to a publisher. */
  @FunctionalInterface
  public interface Acknowledger {
    /**
     * Sends {@code acknowledgement} to the node {@code publisher}, without waiting for it: this runs
     * on the thread that delivered the message. A failure is the bus's to swallow; the publisher then
     * waits its limit, which is safe.
     */
    void acknowledge(String publisher, String acknowledgement);
  }

  private final String nodeId = Long.toHexString(new SecureRandom().nextLong());
  private final Acknowledger acknowledger;
  private final List<InvalidationBus.Listener> listeners = new CopyOnWriteArrayList<>();
  private final AtomicLong sequence = new AtomicLong();
  private final ConcurrentHashMap<Long, Publication> waiting = new ConcurrentHashMap<>();
  /** Probes sent and not yet answered: their mark to the nanoTime before sending. */
  private final ConcurrentSkipListMap<Long, Long> probes = new ConcurrentSkipListMap<>();
  /** Guards the connection state and the delivery instant, so that listeners hear each change once. */
  private final Object state = new Object();
  private volatile boolean connected;
  private volatile boolean closed;
  private volatile long deliveredBefore = Long.MIN_VALUE;

  /** A protocol whose acknowledgements go out through {@code acknowledger}; it starts disconnected. */
  public InvalidationProtocol(Acknowledger acknowledger) {
    this.acknowledger = requireNonNull(acknowledger, "acknowledger");
  }

  /** This node's id, random per protocol: what acknowledgements and registries name it by. */
  public String nodeId() {
    return nodeId;
  }

  // ---- messages

  /** The text of an invalidation of {@code partitions} that asks for no acknowledgement. */
  public static String plain(Collection<String> partitions) {
    return InvalidationMessage.plain(partitions);
  }

  /**
   * An invalidation the bus received, from any node, this one included: the listeners drop the
   * partitions, then its publisher, if it waits, is acknowledged.
   */
  public void received(String text) {
    InvalidationMessage message = InvalidationMessage.parse(text);
    listeners.forEach(l -> l.invalidated(message.partitions()));
    if (message instanceof InvalidationMessage.Confirmed c) {
      acknowledger.acknowledge(c.publisher(), InvalidationMessage.ack(nodeId, c.sequence()));
    }
  }

  /** An acknowledgement addressed to this node; one for a publication no longer waiting is ignored. */
  public void acknowledged(String text) {
    InvalidationMessage.parseAck(text).ifPresent(ack -> {
      Publication p = waiting.get(ack.sequence());
      if (p != null) {
        p.acked(ack.node());
      }
    });
  }

  /**
   * A confirmed publication of {@code partitions}: the bus sends {@link Publication#text()}, then
   * waits on it, and closes it whatever happens.
   */
  public Publication publication(Collection<String> partitions) {
    long seq = sequence.incrementAndGet();
    Publication p = new Publication(seq, InvalidationMessage.confirmed(nodeId, seq, partitions));
    waiting.put(seq, p);
    return p;
  }

  /** One confirmed invalidation waiting for the nodes that received it. */
  public final class Publication implements AutoCloseable {
    private final long sequence;
    private final String text;
    private final Set<String> acked = new HashSet<>();

    private Publication(long sequence, String text) {
      this.sequence = sequence;
      this.text = text;
    }

    /** What the bus sends. */
    public String text() {
      return text;
    }

    private synchronized void acked(String node) {
      acked.add(node);
      notifyAll();
    }

    /**
     * Waits at most {@code atMost} until {@code receivers} distinct nodes acknowledged: for a
     * transport that counts the receivers of a message. True if they all did.
     */
    public boolean awaitReceivers(long receivers, Duration atMost) throws InterruptedException {
      long deadline = System.nanoTime() + atMost.toNanos();
      synchronized (this) {
        while (acked.size() < receivers) {
          if (!waitUntil(deadline)) {
            return false;
          }
        }
        return true;
      }
    }

    /**
     * Waits until every node of {@code nodes} acknowledged, or {@link System#nanoTime()} reaches
     * {@code deadlineNanos}: for a transport whose receivers are listed. True if they all did.
     */
    public boolean awaitNodes(Set<String> nodes, long deadlineNanos) throws InterruptedException {
      synchronized (this) {
        while (!acked.containsAll(nodes)) {
          if (!waitUntil(deadlineNanos)) {
            return false;
          }
        }
        return true;
      }
    }

    private boolean waitUntil(long deadline) throws InterruptedException {
      long left = deadline - System.nanoTime();
      if (left <= 0) {
        return false;
      }
      TimeUnit.NANOSECONDS.timedWait(this, left);
      return true;
    }

    /** Stops waiting: later acknowledgements are ignored. */
    @Override
    public void close() {
      waiting.remove(sequence);
    }
  }

  // ---- the delivery instant

  /**
   * Records that the bus sent a probe of its transport's order, named {@code mark} (increasing),
   * at {@code sentNanos} ({@link System#nanoTime()} read before sending).
   */
  public void probeSent(long mark, long sentNanos) {
    probes.put(mark, sentNanos);
    while (probes.size() > PROBES_KEPT) {
      probes.pollFirstEntry();
    }
  }

  /**
   * Tells the protocol that this node has applied every message up to probe {@code mark}: every
   * message published before that probe, or an earlier one, was sent now reached the listeners.
   * Returns whether a recorded probe was answered.
   */
  public boolean deliveredThrough(long mark) {
    ConcurrentNavigableMap<Long, Long> answered = probes.headMap(mark, true);
    if (answered.isEmpty()) {
      return false;
    }
    long sent = answered.lastEntry().getValue();
    answered.clear();
    deliveredAt(sent);
    return true;
  }

  /** Every message published before {@code sentNanos} has reached the listeners. */
  public void deliveredAt(long sentNanos) {
    synchronized (state) {
      if (deliveredBefore == Long.MIN_VALUE || sentNanos - deliveredBefore > 0) {
        deliveredBefore = sentNanos;
      }
    }
  }

  /** See {@link InvalidationBus#deliveredBefore()}. */
  public long deliveredBefore() {
    return deliveredBefore;
  }

  // ---- listeners and connection state

  /** See {@link InvalidationBus#subscribe}. */
  public void subscribe(InvalidationBus.Listener listener) {
    listeners.add(requireNonNull(listener, "listener"));
  }

  /** True from {@link #restored} to the next {@link #lost} or {@link #close}. */
  public boolean isConnected() {
    return connected;
  }

  /** True once {@link #close} was called. */
  public boolean isClosed() {
    return closed;
  }

  /** Messages may be lost from now on: the listeners hear it, once. */
  public void lost() {
    synchronized (state) {
      if (connected) {
        connected = false;
        listeners.forEach(InvalidationBus.Listener::connectionLost);
      }
    }
  }

  /** Messages flow again: the listeners hear it, once, unless the bus is closed. Returns whether it changed. */
  public boolean restored() {
    synchronized (state) {
      if (connected || closed) {
        return false;
      }
      connected = true;
      listeners.forEach(InvalidationBus.Listener::connectionRestored);
      return true;
    }
  }

  /**
   * The listeners drop what they kept, as after a drop, without one: for a node that learns it may
   * have been skipped by publishers while it stayed connected.
   */
  public void startOver() {
    synchronized (state) {
      if (connected) {
        listeners.forEach(InvalidationBus.Listener::connectionLost);
        listeners.forEach(InvalidationBus.Listener::connectionRestored);
      }
    }
  }

  /** Marks the bus closed and disconnected, the listeners told nothing more. True the first time. */
  public boolean close() {
    synchronized (state) {
      if (closed) {
        return false;
      }
      closed = true;
      connected = false;
      return true;
    }
  }
}
