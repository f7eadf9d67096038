package dev.apicache.store.caffeine;

import static java.util.Objects.requireNonNull;

import com.github.benmanes.caffeine.cache.Ticker;
import dev.apicache.internal.BoundedStore;
import dev.apicache.spi.Counter;
import dev.apicache.spi.EntryKey;
import dev.apicache.spi.Fence;
import dev.apicache.spi.InvalidationBus;
import dev.apicache.spi.Leases;
import dev.apicache.spi.Store;
import dev.apicache.spi.Watched;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * A near (in-process, Caffeine) store over a far (shared) one: a near hit costs no network at all.
 *
 * <p>The far store stays the authority: fences are read and checked there, invalidations go there
 * first. Each node then drops its near copies of the invalidated partitions, at once for its own
 * invalidations and through the {@link InvalidationBus} for other nodes'. Guarantees:
 * <ul>
 *   <li>On the node that invalidates, no later request is served a near copy from before.</li>
 *   <li>Over a bus that {@linkplain InvalidationBus#confirmsDelivery() confirms delivery} (Redis,
 *       standalone or Cluster, and Hazelcast), on no node either: an invalidation returns once every node has dropped its near
 *       copies, or once {@link Builder#nearLease} has passed, and a node serves near copies only
 *       while its bus has confirmed, within that lease, that it is current. A node that misses a
 *       message (slow, cut off, paused) stops using its near copies before the write returns.</li>
 *   <li>Over another bus, on other nodes a near copy outlives an invalidation by at most the bus's
 *       delivery time.</li>
 *   <li>While the bus is disconnected, near copies are dropped and not used; after it reconnects
 *       they are dropped again (messages may have been lost), so a lost message cannot leave stale
 *       data behind. Independently, no near copy is served longer than {@code nearMaxAge}.</li>
 *   <li>A near copy is only made under a near fence read before the far read, so a message that
 *       arrives while a copy is being made wins.</li>
 * </ul>
 *
 * <p>Near copies are dropped per partition (per policy), not per entry: an invalidation of one tag
 * drops the policy's near copies, which refill from the far store in one round trip each. The store
 * owns the far store and the bus and closes them. Thread-safe.
 *
 * @since 0.1
 */
public final class TieredStore implements Store {
  private final CaffeineStore near;
  private final Store far;
  private final InvalidationBus bus;
  private final Duration nearMaxAge;
  private final Duration nearLease;
  private final long nearLeaseNanos;
  private final boolean confirmed;
  private volatile boolean nearTrusted;

  private TieredStore(Builder b) {
    this.near = CaffeineStore.builder().maximumBytes(b.nearMaximumBytes).ticker(b.ticker).build();
    // a far store that may hang is bounded here, so that near hits need no hand-off in the engine
    this.far = BoundedStore.of(b.far, b.farTimeout);
    this.bus = b.bus;
    this.nearMaxAge = b.nearMaxAge;
    this.nearLease = b.nearLease;
    this.nearLeaseNanos = b.nearLease.toNanos();
    this.confirmed = bus.confirmsDelivery();
    this.nearTrusted = bus.isConnected();
    bus.subscribe(new InvalidationBus.Listener() {
      @Override
      public void invalidated(Collection<String> partitions) {
        near.bump(nearCounters(partitions));
      }

      @Override
      public void connectionLost() {
        nearTrusted = false;
        near.clear();
      }

      @Override
      public void connectionRestored() {
        near.clear(); // whatever arrived while we were away is unknown: start over
        nearTrusted = true;
      }
    });
  }

  /** A tiered store over {@code far}, kept coherent through {@code bus}. */
  public static Builder builder(Store far, InvalidationBus bus) {
    return new Builder(requireNonNull(far, "far"), requireNonNull(bus, "bus"));
  }

  @Override
  public Optional<byte[]> get(EntryKey key) {
    return get(key, List.of());
  }

  /** A near hit, or the far store's read (told the fence's counters when it wants them). */
  @Override
  public Optional<byte[]> get(EntryKey key, List<Counter> fenceCounters) {
    if (!nearUsable()) {
      return farGet(key, fenceCounters);
    }
    Optional<byte[]> copy = near.get(key);
    if (copy.isPresent()) {
      return copy;
    }
    Fence nearFence = near.fence(List.of(nearCounter(key.partition())));
    Optional<byte[]> found = farGet(key, fenceCounters);
    found.ifPresent(bytes -> near.put(key, bytes, nearMaxAge, nearFence));
    return found;
  }

  /**
   * A near copy that remembers the watched values its far read came with, or the far store's read,
   * which then becomes that copy. A watched counter's bump drops the copy as any bump does, so the
   * values it remembers are current while it is served.
   */
  @Override
  public Optional<Watched> getWatching(EntryKey key, List<Counter> fenceCounters, List<Counter> watched) {
    if (!nearUsable()) {
      return far.getWatching(key, fenceCounters, watched);
    }
    Optional<Watched> copy = near.remembered(key);
    if (copy.isPresent() && copy.get().counters().counters().equals(watched)) {
      return copy;
    }
    Fence nearFence = near.fence(List.of(nearCounter(key.partition())));
    Optional<Watched> found = far.getWatching(key, fenceCounters, watched);
    found.ifPresent(w -> near.put(key, w.entry(), nearMaxAge, nearFence, w.counters()));
    return found;
  }

  /**
   * Near copies may be served: the bus is connected and, over a bus that confirms delivery, it has
   * confirmed within the lease that every message published before then reached this node.
   */
  private boolean nearUsable() {
    if (!nearTrusted) {
      return false;
    }
    if (!confirmed) {
      return true;
    }
    long current = bus.deliveredBefore();
    return current != Long.MIN_VALUE && System.nanoTime() - current < nearLeaseNanos;
  }

  private Optional<byte[]> farGet(EntryKey key, List<Counter> fenceCounters) {
    return far.readsCountersWithEntries() && !fenceCounters.isEmpty() ? far.get(key, fenceCounters) : far.get(key);
  }

  /** Asks for the counters so that it can hand them to a far store that wants them. */
  @Override
  public boolean readsCountersWithEntries() {
    return far.readsCountersWithEntries();
  }

  @Override
  public Fence fence(List<Counter> counters) {
    return far.fence(counters);
  }

  @Override
  public boolean put(EntryKey key, byte[] entry, Duration timeToLive, Fence fence) {
    Fence nearFence = near.fence(List.of(nearCounter(key.partition())));
    boolean stored = far.put(key, entry, timeToLive, fence);
    if (stored && nearUsable()) {
      near.put(key, entry, timeToLive.compareTo(nearMaxAge) < 0 ? timeToLive : nearMaxAge, nearFence);
    }
    return stored;
  }

  /**
   * Invalidates in the far store, then this node's near copies, then tells the other nodes. Over a
   * bus that confirms delivery it returns once every node that received the message has it, or
   * once the lease has passed (a node that did not get it has then stopped using its near copies),
   * and a failure to publish is thrown, so that the invalidation is retried or reported. Over
   * another bus a failure is logged: other nodes then rely on {@code nearMaxAge} and their own bus's
   * connection state.
   */
  @Override
  public void bump(Collection<Counter> counters) {
    far.bump(counters);
    Set<String> partitions = new LinkedHashSet<>();
    for (Counter c : counters) {
      partitions.add(c.partition());
    }
    near.bump(nearCounters(partitions));
    if (confirmed) {
      bus.publishConfirmed(partitions, nearLease);
      return;
    }
    try {
      bus.publish(partitions);
    } catch (RuntimeException e) {
      System.getLogger("dev.apicache.store.tiered").log(System.Logger.Level.WARNING,
          "apicache could not publish an invalidation; other nodes drop their near copies within their nearMaxAge: "
              + e.getMessage());
    }
  }

  /**
   * Always: near calls are in memory, and a far store that does not bound its own calls is bounded
   * by {@link Builder#farTimeout}. The bus must not block either ({@link InvalidationBus#publish}).
   */
  @Override
  public boolean callsAreBounded() {
    return true;
  }

  /** The far store's leases: single flight is a cluster matter. */
  @Override
  public Optional<Leases> leases() {
    return far.leases();
  }

  /** True while near copies are being used (the bus is connected and, if it confirms delivery, current). */
  public boolean nearInUse() {
    return nearUsable();
  }

  @Override
  public void close() {
    bus.close();
    far.close();
    near.close();
  }

  /** The near store's one counter per partition: bumped to drop every near copy of the partition. */
  private static Counter nearCounter(String partition) {
    return new Counter(partition, "near");
  }

  private static List<Counter> nearCounters(Collection<String> partitions) {
    List<Counter> out = new ArrayList<>(partitions.size());
    for (String p : partitions) {
      out.add(nearCounter(p));
    }
    return out;
  }

  /** Builds a {@link TieredStore}. */
  public static final class Builder {
    private final Store far;
    private final InvalidationBus bus;
    private long nearMaximumBytes = 64L << 20;
    private Duration nearMaxAge = Duration.ofSeconds(10);
    private Duration nearLease = Duration.ofSeconds(1);
    private Duration farTimeout = Duration.ofMillis(250);
    private Ticker ticker = Ticker.systemTicker();

    private Builder(Store far, InvalidationBus bus) {
      this.far = far;
      this.bus = bus;
    }

    /** The near store's bound in bytes; default 64 MiB. */
    public Builder nearMaximumBytes(long bytes) {
      if (bytes <= 0) {
        throw new IllegalArgumentException("nearMaximumBytes must be > 0 but was " + bytes);
      }
      nearMaximumBytes = bytes;
      return this;
    }

    /**
     * The longest a near copy is served, whatever the bus says: the bound on staleness if a message
     * were lost without the connection noticing; default 10 s.
     */
    public Builder nearMaxAge(Duration age) {
      requireNonNull(age, "age");
      if (age.isZero() || age.isNegative()) {
        throw new IllegalArgumentException("nearMaxAge must be > 0 but was " + age);
      }
      nearMaxAge = age;
      return this;
    }

    /**
     * Over a bus that confirms delivery: how long after the bus last confirmed that this node is
     * current its near copies may still be served, and so the longest an invalidation waits for a
     * node that does not acknowledge it; default 1 s. It must exceed the bus's heartbeat interval.
     */
    public Builder nearLease(Duration lease) {
      requireNonNull(lease, "lease");
      if (lease.isZero() || lease.isNegative()) {
        throw new IllegalArgumentException("nearLease must be > 0 but was " + lease);
      }
      nearLease = lease;
      return this;
    }

    /**
     * The longest a call to a far store that does not bound its own calls (Hazelcast) may take
     * before it fails and the request goes to the origin; default 250 ms. A far store with its own
     * timeouts (Redis) is called directly.
     */
    public Builder farTimeout(Duration timeout) {
      requireNonNull(timeout, "timeout");
      if (timeout.isZero() || timeout.isNegative()) {
        throw new IllegalArgumentException("farTimeout must be > 0 but was " + timeout);
      }
      farTimeout = timeout;
      return this;
    }

    /** The near store's time source; tests pass a manual one. */
    public Builder ticker(Ticker source) {
      ticker = requireNonNull(source, "source");
      return this;
    }

    /** The store, subscribed to the bus; closing it closes the near store and the subscription. */
    public TieredStore build() {
      return new TieredStore(this);
    }
  }
}
