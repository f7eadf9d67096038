package dev.apicache.testing;

import dev.apicache.spi.Counter;
import dev.apicache.spi.EntryKey;
import dev.apicache.spi.Fence;
import dev.apicache.spi.Store;
import java.time.Duration;
import java.time.InstantSource;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The simplest complete {@link Store}: two concurrent maps and a clock. It passes the store contract
 * and backs core's own tests; it has no size bound and keeps every counter it ever bumped, so it is
 * meant for tests, not production (use the Caffeine store there). Thread-safe.
 */
public final class InMemoryStore implements Store {
  private final InstantSource clock;
  private final ConcurrentHashMap<EntryKey, Entry> entries = new ConcurrentHashMap<>();
  private final ConcurrentHashMap<Counter, Long> counters = new ConcurrentHashMap<>();
  private final AtomicLong sequence = new AtomicLong();

  private record Entry(byte[] bytes, Fence fence, long expiresAtMillis) {}

  public InMemoryStore(InstantSource clock) {
    this.clock = clock;
  }

  @Override
  public Optional<byte[]> get(EntryKey key) {
    Entry e = entries.get(key);
    if (e == null || clock.millis() >= e.expiresAtMillis || !e.fence.holds(this::current)) {
      return Optional.empty();
    }
    return Optional.of(e.bytes);
  }

  @Override
  public Fence fence(List<Counter> names) {
    return Fence.read(names, this::current);
  }

  @Override
  public synchronized boolean put(EntryKey key, byte[] entry, Duration timeToLive, Fence fence) {
    if (!fence.holds(this::current) || timeToLive.isZero() || timeToLive.isNegative()) {
      return false;
    }
    entries.put(key, new Entry(entry, fence, clock.millis() + timeToLive.toMillis()));
    return true;
  }

  @Override
  public synchronized void bump(Collection<Counter> names) {
    for (Counter n : names) {
      counters.put(n, sequence.incrementAndGet());
    }
  }

  @Override
  public boolean callsAreBounded() {
    return true;
  }

  @Override
  public boolean readsWithoutBlocking() {
    return true;
  }

  /** How many entries are held, expired and invalidated ones included. */
  public int size() {
    return entries.size();
  }

  @Override
  public void close() {
    entries.clear();
  }

  private long current(Counter counter) {
    return counters.getOrDefault(counter, 0L);
  }
}
