package dev.apicache.store.caffeine;

import static java.util.Objects.requireNonNull;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Expiry;
import com.github.benmanes.caffeine.cache.RemovalCause;
import com.github.benmanes.caffeine.cache.Ticker;
import dev.apicache.spi.Counter;
import dev.apicache.spi.EntryKey;
import dev.apicache.spi.EntryMemo;
import dev.apicache.spi.Fence;
import dev.apicache.spi.Footprint;
import dev.apicache.spi.Store;
import dev.apicache.spi.Watched;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.ReadWriteLock;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import org.jspecify.annotations.Nullable;

/**
 * The in-process store: entries in a Caffeine cache bounded by bytes, each with its own time to
 * live, and the generation counters in memory beside them.
 *
 * <p>Guarantees: the weight of stored entries (their bytes plus a fixed per-entry overhead) never
 * stays above {@link Builder#maximumBytes}; an expired entry is never returned; a {@link #put} whose
 * fence no longer holds stores nothing, atomically with respect to {@link #bump}. Counters are
 * kept only while an entry fenced on their previous value could still be alive, so invalidating
 * many distinct tags or URLs does not grow memory without bound. Every call is bounded and never
 * blocks on I/O. Thread-safe.
 *
 * <p><b>Note:</b> {@link #get} returns the stored array itself, to keep hits free of copies;
 * callers (the engine) must not modify it.
 *
 * @since 0.1
 */
public final class CaffeineStore implements Store {
  /** Bytes counted per entry on top of its key and value: the entry object and the cache's node. */
  static final int ENTRY_OVERHEAD_BYTES = 128;

  private final Cache<EntryKey, Entry> entries;
  private final Ticker ticker;
  private final Cache<Counter, Long> counters;
  private final AtomicLong sequence = new AtomicLong();
  /**
   * Moved once at the end of every bump, after its counters: an entry whose fence held at the
   * current epoch still holds, so a hit reads no counter until the next bump.
   */
  private final AtomicLong epoch = new AtomicLong();
  private final AtomicLong longestLifetimeNanos = new AtomicLong();
  /** Caffeine's own expiry of entries: at least the longest lifetime stored so far. */
  private volatile long clearAfterNanos = TimeUnit.MINUTES.toNanos(1);
  private final ReadWriteLock fenceLock = new ReentrantReadWriteLock();
  private final LongAdder evictions = new LongAdder();

  private CaffeineStore(Builder b) {
    this.entries = Caffeine.newBuilder()
        .maximumWeight(b.maximumBytes)
        .weigher((EntryKey key, Entry e) -> (int) Math.min(Integer.MAX_VALUE, (long) weight(key, e.bytes) + e.memoBytes))
        // Reads check each entry's own deadline. Caffeine's expiry only clears out what nobody reads, after the
        // longest lifetime so far: fixed expiry costs a read nothing, where per-entry expiry reorders a timer
        // wheel on every hit (a quarter of a hit's time over 10,000 URLs).
        .expireAfterWrite(Duration.ofMinutes(1))
        .evictionListener((@Nullable EntryKey key, @Nullable Entry e, RemovalCause cause) -> evictions.increment())
        .ticker(b.ticker)
        .executor(Runnable::run)
        .build();
    this.ticker = b.ticker;
    this.counters = Caffeine.newBuilder()
        .expireAfter(Expiry.writing((Counter key, Long value) -> Duration.ofNanos(counterRetentionNanos())))
        .ticker(b.ticker)
        .executor(Runnable::run)
        .build();
  }

  /** A builder with a 64 MiB bound and the system ticker. */
  public static Builder builder() {
    return new Builder();
  }

  static int weight(EntryKey key, byte[] bytes) {
    long w = (long) bytes.length + 2L * (key.partition().length() + key.id().length()) + ENTRY_OVERHEAD_BYTES;
    return (int) Math.min(Integer.MAX_VALUE, w);
  }

  /**
   * A counter must outlive every entry fenced on its previous value; entries stored before a bump
   * live at most the longest lifetime seen so far, and a margin covers a put racing the bump.
   */
  private long counterRetentionNanos() {
    return longestLifetimeNanos.get() + TimeUnit.MINUTES.toNanos(1);
  }

  @Override
  public Optional<byte[]> get(EntryKey key) {
    Entry e = entries.getIfPresent(key);
    return e != null && holds(key, e, epoch.get()) ? Optional.of(e.bytes) : Optional.empty();
  }

  /** The watched counters' values are remembered with the entry until the next bump, like its fence's check. */
  @Override
  public Optional<Watched> getWatching(EntryKey key, List<Counter> fenceCounters, List<Counter> watched) {
    Entry e = entries.getIfPresent(key);
    long now = epoch.get();
    if (e == null || !holds(key, e, now)) {
      return Optional.empty();
    }
    Seen seen = e.seen;
    if (seen == null || seen.epoch != now || !seen.read().counters().counters().equals(watched)) {
      // read after the epoch: never older than it
      seen = new Seen(now, Optional.of(new Watched(e.bytes, Fence.read(watched, this::current), e)));
      e.seen = seen;
    }
    return seen.found;
  }

  /**
   * Whether {@code e}'s fence holds, checked against the counters only when a bump moved the epoch
   * since its last check. {@code now} is read before the check, so a check that raced a bump is
   * recorded under the older epoch and repeated.
   */
  private boolean holds(EntryKey key, Entry e, long now) {
    if (e.deadlineNanos - ticker.read() <= 0) {
      entries.asMap().remove(key, e);
      return false;
    }
    if (e.checkedAt == now) {
      return true;
    }
    if (!e.fence.holds(this::current)) {
      entries.asMap().remove(key, e);
      return false;
    }
    e.checkedAt = now;
    return true;
  }

  /**
   * The entry under {@code key} with the watched values it was {@linkplain #put(EntryKey, byte[],
   * Duration, Fence, Fence) stored with}; empty when there is none, or it was stored without them.
   */
  Optional<Watched> remembered(EntryKey key) {
    Entry e = entries.getIfPresent(key);
    if (e == null || e.watched == null || !holds(key, e, epoch.get())) {
      return Optional.empty();
    }
    return Optional.of(new Watched(e.bytes, e.watched, e));
  }

  @Override
  public Fence fence(List<Counter> names) {
    return Fence.read(names, this::current);
  }

  @Override
  public boolean put(EntryKey key, byte[] entry, Duration timeToLive, Fence fence) {
    return put(key, entry, timeToLive, fence, null);
  }

  /**
   * As {@link #put(EntryKey, byte[], Duration, Fence)}, remembering {@code watched}: the values of
   * watched counters that came with {@code entry} from another store, handed back by
   * {@link #remembered}.
   */
  boolean put(EntryKey key, byte[] entry, Duration timeToLive, Fence fence, @Nullable Fence watched) {
    requireNonNull(key, "key");
    requireNonNull(entry, "entry");
    requireNonNull(fence, "fence");
    long ttlNanos = timeToLive.toNanos();
    if (ttlNanos <= 0) {
      return false;
    }
    long longest = longestLifetimeNanos.accumulateAndGet(ttlNanos, Math::max);
    if (longest > clearAfterNanos) {
      raiseClearAfter(longest);
    }
    fenceLock.readLock().lock();
    try {
      if (!fence.holds(this::current)) {
        return false;
      }
      // under the read lock no bump runs: the fence just checked holds at this epoch
      entries.put(key, new Entry(key, entry, fence, ticker.read() + ttlNanos, watched, epoch.get()));
      return true;
    } finally {
      fenceLock.readLock().unlock();
    }
  }

  /** Raises (never lowers) how long after its write an entry nobody read is cleared out. */
  private synchronized void raiseClearAfter(long nanos) {
    if (nanos > clearAfterNanos) {
      clearAfterNanos = nanos;
      entries.policy().expireAfterWrite().ifPresent(p -> p.setExpiresAfter(Duration.ofNanos(nanos)));
    }
  }

  /** Entries, their weight in bytes and the evictions so far, all known in-process. */
  @Override
  public Optional<Footprint> footprint() {
    long bytes = entries.policy().eviction().map(e -> e.weightedSize().orElse(0)).orElse(0L);
    return Optional.of(new Footprint(entries.estimatedSize(), bytes, evictions.sum()));
  }

  @Override
  public void bump(Collection<Counter> names) {
    fenceLock.writeLock().lock();
    try {
      for (Counter name : names) {
        counters.put(name, sequence.incrementAndGet());
      }
      epoch.incrementAndGet(); // last: whoever reads the new epoch sees every counter above
    } finally {
      fenceLock.writeLock().unlock();
    }
  }

  @Override
  public boolean callsAreBounded() {
    return true;
  }

  /** True: a read is a lookup in this process's memory. */
  @Override
  public boolean readsWithoutBlocking() {
    return true;
  }

  /** The current weight of all entries, in bytes as the bound counts them. */
  public long weightedSize() {
    entries.cleanUp();
    return entries.policy().eviction().map(e -> e.weightedSize().orElse(0L)).orElse(0L);
  }

  /** The number of entries held, expired ones not yet removed included. */
  public long estimatedSize() {
    return entries.estimatedSize();
  }

  /** Drops every entry; counters stay, so nothing fenced on an old value can come back. */
  void clear() {
    entries.invalidateAll();
  }

  @Override
  public void close() {
    entries.invalidateAll();
    counters.invalidateAll();
  }

  private long current(Counter name) {
    Long v = counters.getIfPresent(name);
    return v == null ? 0L : v;
  }

  /** A stored entry, and the memo beside it that the engine's {@link EntryMemo#keep} has the cache re-weigh. */
  private final class Entry implements EntryMemo {
    final EntryKey key;
    final byte[] bytes;
    final Fence fence;
    /** The ticker's time at which the entry expires. */
    final long deadlineNanos;
    final @Nullable Fence watched;
    /** The epoch at which the fence last held. */
    volatile long checkedAt;
    /** The watched counters' values read at an epoch, as a read returns them. */
    volatile @Nullable Seen seen;
    volatile @Nullable Object memo;
    /** The heap the memo holds, counted in the entry's weight once the cache has re-weighed it. */
    volatile int memoBytes;

    Entry(EntryKey key, byte[] bytes, Fence fence, long deadlineNanos, @Nullable Fence watched, long checkedAt) {
      this.key = key;
      this.bytes = bytes;
      this.fence = fence;
      this.deadlineNanos = deadlineNanos;
      this.watched = watched;
      this.checkedAt = checkedAt;
    }

    @Override
    public @Nullable Object kept() {
      return memo;
    }

    @Override
    public void keep(Object value, int heapBytes) {
      requireNonNull(value, "value");
      if (heapBytes < 0) {
        throw new IllegalArgumentException("heapBytes must be >= 0 but was " + heapBytes);
      }
      memoBytes = heapBytes;
      memo = value;
      // replacing the entry by itself re-weighs it (and keeps its deadline); if it is gone, nothing is kept
      if (!entries.asMap().replace(key, this, this)) {
        memo = null;
        memoBytes = 0;
      }
    }
  }

  /** A read at an epoch, published whole: later reads at that epoch return it as it is. */
  private record Seen(long epoch, Optional<Watched> found) {
    Watched read() {
      return found.orElseThrow();
    }
  }

  /** Builds a {@link CaffeineStore}. */
  public static final class Builder {
    private long maximumBytes = 64L << 20;
    private Ticker ticker = Ticker.systemTicker();

    private Builder() {}

    /** The bound on the weight of all entries, in bytes; default 64 MiB. */
    public Builder maximumBytes(long bytes) {
      if (bytes <= 0) {
        throw new IllegalArgumentException("maximumBytes must be > 0 but was " + bytes);
      }
      maximumBytes = bytes;
      return this;
    }

    /** The time source for expiry; tests pass a manual one. */
    public Builder ticker(Ticker source) {
      ticker = requireNonNull(source, "source");
      return this;
    }

    /** The store; the builder may be reused. */
    public CaffeineStore build() {
      return new CaffeineStore(this);
    }
  }
}
