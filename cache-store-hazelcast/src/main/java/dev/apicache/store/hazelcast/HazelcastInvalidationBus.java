package dev.apicache.store.hazelcast;

import static java.util.Objects.requireNonNull;

import com.hazelcast.cluster.Member;
import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.core.HazelcastInstanceNotActiveException;
import com.hazelcast.core.LifecycleEvent;
import com.hazelcast.map.IMap;
import com.hazelcast.ringbuffer.OverflowPolicy;
import com.hazelcast.ringbuffer.ReadResultSet;
import com.hazelcast.ringbuffer.Ringbuffer;
import com.hazelcast.ringbuffer.StaleSequenceException;
import com.hazelcast.topic.ITopic;
import dev.apicache.StoreException;
import dev.apicache.spi.InvalidationBus;
import dev.apicache.spi.InvalidationProtocol;
import java.time.Duration;
import java.util.Collection;
import java.util.HashSet;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.jspecify.annotations.Nullable;

/**
 * An {@link InvalidationBus} on a Hazelcast {@link Ringbuffer}, so that a {@code TieredStore} can
 * keep near copies over a {@link HazelcastStore} and still promise that no node serves one after an
 * invalidation has returned. Works on members and on clients. Thread-safe.
 *
 * <p>The bus {@linkplain #confirmsDelivery() confirms delivery} with core's
 * {@link InvalidationProtocol}, bound to Hazelcast. A ringbuffer lives in one partition, so its
 * sequence numbers put every node's messages in one order, and each node reads them in that order:
 * <ul>
 *   <li>every {@link #HEARTBEAT_INTERVAL} a node reads the ringbuffer's tail, the protocol's probe;
 *       once it has applied every message up to that tail, every message added before the read
 *       was sent has been applied ({@link #deliveredBefore()});</li>
 *   <li>each node registers itself in the map {@code <name>:nodes}, renewed every second with a
 *       time to live of {@code 10 s}, and counts as current only within {@code 5 s} of its last
 *       renewal;</li>
 *   <li>{@link #publishConfirmed} adds the message, then reads the registered nodes, and waits for
 *       an acknowledgement from each (on its own topic {@code <name>:ack:<node>}), or for its
 *       limit. A member that has left the cluster is not waited for; a client that vanished is
 *       waited for until its registration expires.</li>
 * </ul>
 * A node that falls more than the ringbuffer's capacity behind (Hazelcast's default: 10,000
 * messages) has lost messages: it reports the connection lost, and restored once it reads again.
 * Hazelcast's own split-brain behaviour applies: the two halves of a split cluster do not see each
 * other's invalidations.
 *
 * @since 0.1
 */
public final class HazelcastInvalidationBus implements InvalidationBus {
  private static final System.Logger LOG = System.getLogger("dev.apicache.store.hazelcast");

  /** How often a node checks that it has applied every message. */
  public static final Duration HEARTBEAT_INTERVAL = Duration.ofMillis(100);
  private static final Duration REGISTER_EVERY = Duration.ofSeconds(1);
  private static final Duration REGISTRATION_TTL = Duration.ofSeconds(10);
  /** Half the time to live: a publisher's read of the registry made within it still sees the node. */
  private static final long REGISTRATION_TRUSTED_NANOS = REGISTRATION_TTL.toNanos() / 2;

  private final HazelcastInstance instance;
  private final String name;
  private final InvalidationProtocol protocol;
  private final Ringbuffer<String> ring;
  private final IMap<String, String> registry;
  private final ITopic<String> acks;
  private final UUID ackRegistration;
  private final UUID lifecycleRegistration;
  private final ConcurrentHashMap<String, ITopic<String>> ackTopics = new ConcurrentHashMap<>();
  private final ScheduledExecutorService scheduler;
  private final ExecutorService reader;
  private final ExecutorService registryReader;
  private final int batch;
  private volatile long next;
  private volatile long applied;
  private volatile long registeredAt = Long.MIN_VALUE;

  private HazelcastInvalidationBus(HazelcastInstance instance, String name) {
    this.instance = instance;
    this.name = name;
    this.protocol = new InvalidationProtocol(this::acknowledge);
    this.ring = instance.getRingbuffer(name);
    this.registry = instance.getMap(name + ":nodes");
    this.acks = instance.getTopic(ackTopic(protocol.nodeId()));
    this.scheduler = Executors.newSingleThreadScheduledExecutor(r -> daemon(r, "apicache-hazelcast-bus"));
    this.reader = Executors.newSingleThreadExecutor(r -> daemon(r, "apicache-hazelcast-bus-reader"));
    this.registryReader = Executors.newCachedThreadPool(r -> daemon(r, "apicache-hazelcast-bus-registry"));
    this.ackRegistration = acks.addMessageListener(message -> protocol.acknowledged(message.getMessageObject()));
    this.lifecycleRegistration = instance.getLifecycleService().addLifecycleListener(event -> {
      LifecycleEvent.LifecycleState s = event.getState();
      if (s == LifecycleEvent.LifecycleState.CLIENT_DISCONNECTED || s == LifecycleEvent.LifecycleState.SHUTTING_DOWN) {
        lost();
      }
      // a reconnected client is restored by its next successful read
    });
    // Hazelcast refuses a read of more than the ringbuffer holds
    this.batch = (int) Math.min(256, ring.capacity());
    long tail = ring.tailSequence();
    this.next = tail + 1;
    this.applied = tail;
    register();
    onReader(() -> read(0));
    scheduler.scheduleWithFixedDelay(this::heartbeat, 0, HEARTBEAT_INTERVAL.toNanos(), TimeUnit.NANOSECONDS);
    scheduler.scheduleWithFixedDelay(this::register, REGISTER_EVERY.toNanos(), REGISTER_EVERY.toNanos(),
        TimeUnit.NANOSECONDS);
  }

  private static Thread daemon(Runnable r, String name) {
    Thread t = new Thread(r, name);
    t.setDaemon(true);
    return t;
  }

  /** A bus on the ringbuffer {@code apicache-invalidations} of {@code instance}. */
  public static HazelcastInvalidationBus create(HazelcastInstance instance) {
    return create(instance, "apicache-invalidations");
  }

  /**
   * A bus on the ringbuffer {@code name} of {@code instance}, which the application owns; the map
   * {@code name:nodes} and the topics {@code name:ack:*} are the bus's too.
   */
  public static HazelcastInvalidationBus create(HazelcastInstance instance, String name) {
    return new HazelcastInvalidationBus(requireNonNull(instance, "instance"), requireNonNull(name, "name"));
  }

  private String ackTopic(String node) {
    return name + ":ack:" + node;
  }

  // ---- reading, in ringbuffer order, on the reader thread

  /**
   * Reads the next batch. The first read, and the first after a failure, asks for at least none
   * so that it answers at once and the bus counts as connected; the others wait for a message.
   */
  private void read(int atLeast) {
    if (protocol.isClosed()) {
      return;
    }
    try {
      ring.readManyAsync(next, atLeast, batch, null).whenCompleteAsync((batch, failure) -> {
        if (failure != null) {
          readFailed(failure);
        } else {
          apply(batch);
          read(1);
        }
      }, this::onReader);
    } catch (RejectedExecutionException e) {
      // closing
    } catch (RuntimeException e) {
      readFailed(e);
    }
  }

  /** Runs a read's completion on the reader thread; once the bus is closed, drops it. */
  private void onReader(Runnable task) {
    try {
      reader.execute(task);
    } catch (RejectedExecutionException e) {
      // closed: nothing more to read
    }
  }

  private void apply(ReadResultSet<String> batch) {
    long first = batch.size() > 0 ? batch.getSequence(0) : batch.getNextSequenceToReadFrom();
    if (first > next) {
      // Hazelcast reads from the oldest message it still holds when asked for an overwritten one:
      // the messages between were lost to this node, so its near copies must go
      LOG.log(System.Logger.Level.WARNING, "apicache invalidation bus fell " + (first - next)
          + " messages behind its ringbuffer; near copies dropped");
      lost();
    }
    for (int i = 0; i < batch.size(); i++) {
      protocol.received(batch.get(i));
    }
    next = batch.getNextSequenceToReadFrom();
    applied = next - 1;
    restored();
    protocol.deliveredThrough(applied);
  }

  private void readFailed(Throwable failure) {
    Throwable cause = failure instanceof CompletionException && failure.getCause() != null ? failure.getCause() : failure;
    if (protocol.isClosed() || cause instanceof HazelcastInstanceNotActiveException) {
      lost();
      return;
    }
    if (protocol.isConnected() && !(cause instanceof StaleSequenceException)) {
      // once per outage: the retries below stay quiet until a read succeeds again
      LOG.log(System.Logger.Level.WARNING, "apicache invalidation bus cannot read its ringbuffer; near copies off until"
          + " it can: " + cause);
    }
    lost();
    if (cause instanceof StaleSequenceException stale) {
      // overwritten before this node read them: those messages are gone, so start over after them
      LOG.log(System.Logger.Level.WARNING, "apicache invalidation bus fell behind its ringbuffer; near copies dropped");
      next = stale.getHeadSeq();
      onReader(() -> read(0));
      return;
    }
    try {
      scheduler.schedule(() -> onReader(() -> read(0)), 100, TimeUnit.MILLISECONDS);
    } catch (RejectedExecutionException e) {
      // closing
    }
  }

  /** The protocol's acknowledgement of a message to its publisher, on the publisher's own topic. */
  private void acknowledge(String publisher, String acknowledgement) {
    try {
      ackTopics.computeIfAbsent(publisher, node -> instance.getTopic(ackTopic(node))).publishAsync(acknowledgement);
    } catch (RuntimeException e) {
      // the publisher then waits its limit, which is safe
    }
  }

  // ---- heartbeats and registration, on the scheduler thread

  private void heartbeat() {
    if (protocol.isClosed()) {
      return;
    }
    long sent = System.nanoTime();
    long tail;
    try {
      tail = ring.tailSequence();
    } catch (RuntimeException e) {
      return; // the instant stops moving, and near copies stop with it
    }
    if (applied >= tail) {
      protocol.deliveredAt(sent);
    } else {
      protocol.probeSent(tail, sent);
    }
  }

  private void register() {
    if (protocol.isClosed()) {
      return;
    }
    long sent = System.nanoTime();
    try {
      registry.set(protocol.nodeId(), endpoint(), REGISTRATION_TTL.toMillis(), TimeUnit.MILLISECONDS);
    } catch (RuntimeException e) {
      return; // after REGISTRATION_TRUSTED this node stops using near copies
    }
    long before = registeredAt;
    registeredAt = sent;
    if (before != Long.MIN_VALUE && sent - before > REGISTRATION_TRUSTED_NANOS) {
      // publishers may have skipped this node meanwhile: what its near copies missed is unknown
      protocol.startOver();
    }
  }

  private boolean registered() {
    long at = registeredAt;
    return at != Long.MIN_VALUE && System.nanoTime() - at < REGISTRATION_TRUSTED_NANOS;
  }

  /** "m:uuid" for a member, "c:uuid" for a client: a member that left the cluster is not waited for. */
  private String endpoint() {
    boolean member = isMember();
    return (member ? "m:" : "c:") + instance.getLocalEndpoint().getUuid();
  }

  private boolean isMember() {
    try {
      return instance.getCluster().getLocalMember() != null;
    } catch (UnsupportedOperationException e) {
      return false; // a client has no local member
    }
  }

  // ---- state

  private void lost() {
    protocol.lost();
  }

  private void restored() {
    protocol.restored();
  }

  // ---- publishing

  /**
   * Adds the message without waiting for it: a publish never blocks the invalidation that called
   * it. A failure is logged; the other nodes then rely on their near copies' maximum age.
   */
  @Override
  public void publish(Collection<String> partitions) {
    try {
      ring.addAsync(InvalidationProtocol.plain(partitions), OverflowPolicy.OVERWRITE).whenComplete((seq, failure) -> {
        if (failure != null) {
          LOG.log(System.Logger.Level.WARNING, "apicache could not publish an invalidation: " + failure.getMessage());
        }
      });
    } catch (RuntimeException e) {
      throw new StoreException("could not publish an invalidation: " + e.getMessage(), e);
    }
  }

  /** True; see the class comment. */
  @Override
  public boolean confirmsDelivery() {
    return true;
  }

  @Override
  public boolean publishConfirmed(Collection<String> partitions, Duration atMost) {
    try (InvalidationProtocol.Publication publication = protocol.publication(partitions)) {
      long limit = atMost.toNanos();
      try {
        ring.addAsync(publication.text(), OverflowPolicy.OVERWRITE).toCompletableFuture().get(limit, TimeUnit.NANOSECONDS);
      } catch (ExecutionException | TimeoutException e) {
        throw new StoreException("could not publish an invalidation: " + e, e);
      }
      // from here a node that has not applied the message stops using near copies within atMost
      long deadline = System.nanoTime() + limit;
      Set<String> expected = expectedNodes(Math.min(limit, REGISTRATION_TRUSTED_NANOS / 2));
      if (expected == null) {
        publication.awaitNodes(Set.of("\u0000unknown"), deadline); // cannot know who listens: wait the limit
        return false;
      }
      return publication.awaitNodes(expected, deadline);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  /** The registered nodes, read after the message was added, or null if they cannot be read in time. */
  private @Nullable Set<String> expectedNodes(long withinNanos) {
    try {
      // IMap has no asynchronous entry set: read it on a thread of the bus's, bounded here
      var entries = java.util.concurrent.CompletableFuture.supplyAsync(registry::entrySet, registryReader)
          .get(withinNanos, TimeUnit.NANOSECONDS);
      Set<UUID> members = new HashSet<>();
      for (Member m : instance.getCluster().getMembers()) {
        members.add(m.getUuid());
      }
      Set<String> expected = new HashSet<>();
      for (var e : entries) {
        String value = e.getValue();
        if (value.startsWith("m:") && !members.contains(UUID.fromString(value.substring(2)))) {
          continue; // a member that has left: it serves nothing of this cluster's
        }
        expected.add(e.getKey());
      }
      return expected;
    } catch (ExecutionException | TimeoutException | RuntimeException e) {
      return null; // RejectedExecutionException included: closing
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return null;
    }
  }

  /** The instant this node last proved current, or {@code Long.MIN_VALUE} while it is not registered. */
  @Override
  public long deliveredBefore() {
    return registered() ? protocol.deliveredBefore() : Long.MIN_VALUE;
  }

  @Override
  public void subscribe(Listener listener) {
    protocol.subscribe(listener);
  }

  @Override
  public boolean isConnected() {
    return protocol.isConnected() && instance.getLifecycleService().isRunning();
  }

  /** Stops listening and deregisters; the instance belongs to the application. */
  @Override
  public void close() {
    if (!protocol.close()) {
      return;
    }
    scheduler.shutdownNow();
    reader.shutdownNow();
    registryReader.shutdownNow();
    if (instance.getLifecycleService().isRunning()) {
      try {
        registry.deleteAsync(protocol.nodeId());
        acks.removeMessageListener(ackRegistration);
        acks.destroy();
        instance.getLifecycleService().removeLifecycleListener(lifecycleRegistration);
      } catch (RuntimeException e) {
        LOG.log(System.Logger.Level.DEBUG, "apicache invalidation bus closed with its instance: " + e.getMessage());
      }
    }
  }
}
