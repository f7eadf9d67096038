package dev.apicache.spi;

import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Optional;

/**
 * Where the engine keeps entries (opaque, encoded by core) and the generation counters that make
 * invalidation O(1). Implementations are thread-safe and small: core does encoding, keys, timing
 * and fault handling once, so a backend implements only these primitives.
 *
 * <p>The contract, checked for every implementation by the store contract kit in core's test-jar:
 * <ul>
 *   <li>A counter that was never bumped reads as 0; {@link #bump} makes it differ from every value
 *       it had before, and is visible to every {@link #get} and {@link #fence} that starts after
 *       {@code bump} returns, on every node that shares the store.</li>
 *   <li>{@link #get} returns an entry only while its fence holds (every counter still has its
 *       recorded value) and its time to live has not passed.</li>
 *   <li>{@link #put} with a fence that no longer holds stores nothing (the race rule).</li>
 *   <li>{@link #getWatching} returns what {@link #get} would, with its watched counters' values read
 *       no earlier than the entry.</li>
 *   <li>Every call returns or throws within a bounded time. A store that can hang must say so
 *       through {@link #callsAreBounded()}, and the engine then bounds its calls itself.</li>
 * </ul>
 * Failures are reported as {@link dev.apicache.StoreException}; the engine fails open.
 *
 * <p>There are three reads, each for a reason. {@link #get(EntryKey)} is all a simple store
 * implements. {@link #get(EntryKey, List)} lets a store that keeps counters apart from entries (a
 * remote one) check the fence in the same round trip; {@link #readsCountersWithEntries()} chooses
 * it, so a simple store need not implement it. {@link #getWatching} adds the soft-purge marks; its
 * default composes the other two, so only a store that can read both at once overrides it.
 *
 * <p>Entries are named by {@link EntryKey}, counters by {@link Counter}: each carries its
 * <em>partition</em>, and an entry's key and every counter of its fence share one, so a distributed
 * store can keep them on one node and check a fence in one step without parsing a name.
 *
 * @since 0.1
 */
public interface Store extends AutoCloseable {

  /** The entry stored under {@code key}, if present, not expired and its fence still holds. */
  Optional<byte[]> get(EntryKey key);

  /**
   * As {@link #get(EntryKey)}, told the counters an entry under {@code key} would be fenced on, so that
   * a store that keeps counters apart from entries can read both in one operation. Called instead of
   * {@code get(key)} when {@link #readsCountersWithEntries()} is true.
   */
  default Optional<byte[]> get(EntryKey key, List<Counter> fenceCounters) {
    return get(key);
  }

  /** True when {@link #get(EntryKey, List)} saves work over {@link #get(EntryKey)}; false by default. */
  default boolean readsCountersWithEntries() {
    return false;
  }

  /**
   * As {@link #get(EntryKey, List)}, and the current values of {@code watched}: counters that do not
   * fence the entry but that the engine compares with values the entry recorded (soft purges mark
   * entries stale this way). The values are read no earlier than the entry, so a {@link #bump} of a
   * watched counter that returned before this call started is always seen. {@code watched} shares
   * the key's partition.
   *
   * <p>The default reads the entry, then {@linkplain #fence fences} {@code watched}: correct, but two
   * operations; a remote store should read both in one.
   */
  default Optional<Watched> getWatching(EntryKey key, List<Counter> fenceCounters, List<Counter> watched) {
    Optional<byte[]> entry = readsCountersWithEntries() ? get(key, fenceCounters) : get(key);
    return entry.isEmpty() ? Optional.empty() : Optional.of(new Watched(entry.get(), fence(watched)));
  }

  /** The current values of {@code counters}, in order, as a fence for a fill about to start. */
  Fence fence(List<Counter> counters);

  /**
   * Stores {@code entry} under {@code key} for {@code timeToLive}, unless {@code fence} no longer
   * holds. Replaces any entry under the key.
   *
   * @return whether the entry was stored
   */
  boolean put(EntryKey key, byte[] entry, Duration timeToLive, Fence fence);

  /** Moves each counter to a new value, invalidating every entry fenced on its old one. */
  void bump(Collection<Counter> counters);

  /**
   * True when every call returns or throws within a bounded time by itself (in-process stores, or
   * remote ones with their own command timeouts). Otherwise the engine hands each call to another
   * thread and stops waiting at its store timeout.
   */
  default boolean callsAreBounded() {
    return false;
  }

  /**
   * True when reads ({@link #get}, {@link #getWatching}) answer from this process's memory and never
   * wait on I/O, so the engine may read on a thread that must not block, such as an event loop, and
   * answer a hit there. False by default; a store that says true must also have
   * {@linkplain #callsAreBounded bounded calls}.
   */
  default boolean readsWithoutBlocking() {
    return false;
  }

  /**
   * Leases shared by every node of this store, when it is shared at all: the engine then lets one
   * node per cluster revalidate a key (and, when configured, fill a missing one). Empty for
   * in-process stores, where the engine's own single flight is already cluster-wide.
   */
  default Optional<Leases> leases() {
    return Optional.empty();
  }

  /**
   * What the store holds, for metrics, when it knows without a remote call; empty by default (a
   * shared store's size is the server's to report).
   */
  default Optional<Footprint> footprint() {
    return Optional.empty();
  }

  /** Releases the store's resources; later calls may fail. */
  @Override
  void close();
}
