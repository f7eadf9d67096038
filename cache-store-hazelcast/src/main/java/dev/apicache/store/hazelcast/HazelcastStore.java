package dev.apicache.store.hazelcast;

import static java.util.Objects.requireNonNull;

import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.map.IMap;
import dev.apicache.StoreException;
import dev.apicache.spi.Counter;
import dev.apicache.spi.EntryKey;
import dev.apicache.spi.Fence;
import dev.apicache.spi.Leases;
import dev.apicache.spi.Store;
import dev.apicache.spi.Watched;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.Collection;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;

/**
 * A {@link Store} on a Hazelcast {@code IMap}, from an embedded member or a client, shared by every
 * node of a service.
 *
 * <p>One map holds entries ({@code byte[]}: the fence, then core's encoded entry) and generation
 * counters ({@code Long}), each with its own time to live. Everything runs on plain map operations,
 * so the cluster needs none of this library's classes (clients of an existing cluster work as they
 * are):
 * <ul>
 *   <li>Invalidation is O(1): a counter moves by compare-and-set ({@code replace(key, old, new)});
 *       entries fenced on its old value are unreachable at once from every node.</li>
 *   <li>A hit reads the entry, then its counters in one {@code getAll}: two round trips, both to
 *       partition owners. An entry whose fence moved between the two reads is not served, so no
 *       request that starts after an invalidation returns sees older data.</li>
 *   <li>A fill checks its fence before storing and again after, removing what it stored if an
 *       invalidation slipped in between; the read-time check covers the instant in between.</li>
 *   <li>Leases for distributed single flight are {@code putIfAbsent} with a time to live.</li>
 * </ul>
 * Hazelcast calls can block for long when members leave, so {@link #callsAreBounded()} is false and
 * the engine bounds each call with its store timeout. Thread-safe; closing the store leaves the
 * Hazelcast instance to its owner.
 *
 * @since 0.1
 */
public final class HazelcastStore implements Store {
  private static final long COUNTER_MARGIN_MILLIS = 10 * 60_000;

  private final IMap<String, Object> map;
  private final AtomicLong longestLifetimeMillis = new AtomicLong();
  private final String holder = UUID.randomUUID().toString();

  private HazelcastStore(IMap<String, Object> map) {
    this.map = map;
  }

  /** A store on the map {@code apicache} of {@code instance} (a member or a client). */
  public static HazelcastStore create(HazelcastInstance instance) {
    return create(instance, "apicache");
  }

  /** A store on the map {@code mapName} of {@code instance}. */
  public static HazelcastStore create(HazelcastInstance instance, String mapName) {
    requireNonNull(instance, "instance");
    requireNonNull(mapName, "mapName");
    return new HazelcastStore(instance.getMap(mapName));
  }

  @Override
  public Optional<byte[]> get(EntryKey key) {
    return get(key, List.of());
  }

  /**
   * Reads the entry and the counters it would be fenced on in one {@code getAll}; counters of the
   * stored fence that were not named are read after.
   */
  @Override
  public Optional<byte[]> get(EntryKey key, List<Counter> fenceCounters) {
    return read(key, fenceCounters, List.of()).map(Watched::entry);
  }

  /** The watched counters join the same {@code getAll}: a soft-purge check costs no extra call. */
  @Override
  public Optional<Watched> getWatching(EntryKey key, List<Counter> fenceCounters, List<Counter> watched) {
    return read(key, fenceCounters, watched);
  }

  private Optional<Watched> read(EntryKey key, List<Counter> fenceCounters, List<Counter> watched) {
    String k = entryKey(key);
    Set<String> keys = new HashSet<>();
    keys.add(k);
    fenceCounters.forEach(c -> keys.add(counterKey(c)));
    watched.forEach(c -> keys.add(counterKey(c)));
    Map<String, Object> found = call(() -> map.getAll(keys));
    Object value = found.get(k);
    if (!(value instanceof byte[] stored)) {
      return Optional.empty();
    }
    ByteBuffer in = ByteBuffer.wrap(stored);
    Map<String, Long> fence;
    byte[] entry;
    try {
      fence = decodeFence(in, in.getInt());
      entry = Arrays.copyOfRange(stored, in.position(), stored.length);
    } catch (RuntimeException corrupt) {
      // not ours: the engine's decoder reports it as a miss
      return Optional.of(new Watched(new byte[0], Fence.read(watched, c -> 0L)));
    }
    Map<String, Long> unread = new LinkedHashMap<>();
    for (Map.Entry<String, Long> e : fence.entrySet()) {
      if (!keys.contains(e.getKey())) {
        unread.put(e.getKey(), e.getValue());
      } else if (((Long) found.getOrDefault(e.getKey(), 0L)).longValue() != e.getValue()) {
        return Optional.empty();
      }
    }
    if (!holds(unread)) {
      return Optional.empty();
    }
    return Optional.of(new Watched(entry, Fence.read(watched, c -> (Long) found.getOrDefault(counterKey(c), 0L))));
  }

  @Override
  public boolean readsCountersWithEntries() {
    return true;
  }

  @Override
  public Fence fence(List<Counter> counters) {
    Map<String, Long> current = currentValues(counters);
    long[] values = new long[counters.size()];
    for (int i = 0; i < values.length; i++) {
      values[i] = current.getOrDefault(counterKey(counters.get(i)), 0L);
    }
    return Fence.of(counters, values);
  }

  @Override
  public boolean put(EntryKey key, byte[] entry, Duration timeToLive, Fence fence) {
    long ttl = timeToLive.toMillis();
    if (ttl <= 0 || !holds(fenceByKey(fence))) {
      return false;
    }
    longestLifetimeMillis.accumulateAndGet(ttl, Math::max);
    byte[] fenceBytes = encodeFence(fence);
    byte[] value = ByteBuffer.allocate(4 + fenceBytes.length + entry.length)
        .putInt(fenceBytes.length).put(fenceBytes).put(entry).array();
    String k = entryKey(key);
    call(() -> {
      map.set(k, value, ttl, TimeUnit.MILLISECONDS);
      return null;
    });
    if (!holds(fenceByKey(fence))) {
      call(() -> map.remove(k, value)); // an invalidation came in between: take the fill back
      return false;
    }
    return true;
  }

  @Override
  public void bump(Collection<Counter> counters) {
    long keep = longestLifetimeMillis.get() * 2 + COUNTER_MARGIN_MILLIS;
    for (Counter c : new HashSet<>(counters)) {
      String k = counterKey(c);
      call(() -> {
        while (true) {
          Object current = map.get(k);
          if (current == null) {
            if (map.putIfAbsent(k, 1L, keep, TimeUnit.MILLISECONDS) == null) {
              return null;
            }
          } else if (map.replace(k, current, ((Long) current) + 1)) {
            map.setTtl(k, keep, TimeUnit.MILLISECONDS);
            return null;
          }
        }
      });
    }
  }

  /** Hazelcast calls wait out member changes; the engine bounds them. */
  @Override
  public boolean callsAreBounded() {
    return false;
  }

  @Override
  public Optional<Leases> leases() {
    return Optional.of(leases);
  }

  private final Leases leases = new Leases() {
    @Override
    public boolean tryAcquire(EntryKey name, Duration ttl) {
      return call(() -> map.putIfAbsent(leaseKey(name), holder, Math.max(1, ttl.toMillis()), TimeUnit.MILLISECONDS))
          == null;
    }

    @Override
    public void release(EntryKey name) {
      call(() -> map.remove(leaseKey(name), holder));
    }

    @Override
    public boolean awaitRelease(EntryKey name, Duration timeout) {
      return Leases.pollUntilReleased(() -> call(() -> map.containsKey(leaseKey(name))), timeout);
    }
  };

  @Override
  public void close() {
    // the instance belongs to the application
  }

  // ---------------------------------------------------------------------------------------------

  private boolean holds(Map<String, Long> expected) {
    if (expected.isEmpty()) {
      return true;
    }
    Map<String, Long> current = call(() -> {
      Map<String, Object> found = map.getAll(expected.keySet());
      Map<String, Long> out = new LinkedHashMap<>();
      found.forEach((k, v) -> out.put(k, (Long) v));
      return out;
    });
    for (Map.Entry<String, Long> e : expected.entrySet()) {
      if (current.getOrDefault(e.getKey(), 0L).longValue() != e.getValue()) {
        return false;
      }
    }
    return true;
  }

  private Map<String, Long> currentValues(List<Counter> counters) {
    if (counters.isEmpty()) {
      return Map.of();
    }
    Set<String> keys = new HashSet<>();
    counters.forEach(c -> keys.add(counterKey(c)));
    return call(() -> {
      Map<String, Long> out = new LinkedHashMap<>();
      map.getAll(keys).forEach((k, v) -> out.put(k, (Long) v));
      return out;
    });
  }

  private static Map<String, Long> fenceByKey(Fence fence) {
    Map<String, Long> out = new LinkedHashMap<>();
    for (int i = 0; i < fence.size(); i++) {
      out.put(counterKey(fence.counters().get(i)), fence.value(i));
    }
    return out;
  }

  /** The fence in core's encoding, as UTF-8. */
  private static byte[] encodeFence(Fence fence) {
    return fence.encode(HazelcastStore::counterKey).getBytes(StandardCharsets.UTF_8);
  }

  private static Map<String, Long> decodeFence(ByteBuffer in, int length) {
    byte[] text = new byte[length];
    in.get(text);
    return Fence.decode(new String(text, StandardCharsets.UTF_8));
  }

  private static String entryKey(EntryKey key) {
    return "e:" + lossless(key.flat());
  }

  /** Names by value: Hazelcast hashes keys itself, so no digest is needed and none can collide. */
  private static String counterKey(Counter counter) {
    return "c:" + lossless(counter.flat());
  }

  private static String leaseKey(EntryKey key) {
    return "l:" + lossless(key.flat());
  }

  /**
   * {@code name} in a form Hazelcast's serialisation keeps apart: it writes strings as UTF-8, which
   * turns every unpaired surrogate into the same byte, so two names could share a key. Non-ASCII
   * chars become a backslash, {@code u} and four hex digits, and a backslash is doubled; ASCII names
   * (nearly all) are unchanged.
   */
  static String lossless(String name) {
    int i = 0;
    while (i < name.length() && name.charAt(i) < 0x80 && name.charAt(i) != '\\') {
      i++;
    }
    if (i == name.length()) {
      return name;
    }
    StringBuilder b = new StringBuilder(name.length() + 16).append(name, 0, i);
    for (; i < name.length(); i++) {
      char c = name.charAt(i);
      if (c == '\\') {
        b.append("\\\\");
      } else if (c >= 0x80) {
        b.append(String.format("\\u%04x", (int) c));
      } else {
        b.append(c);
      }
    }
    return b.toString();
  }

  private static <T> T call(Supplier<T> operation) {
    try {
      return operation.get();
    } catch (RuntimeException e) {
      throw new StoreException("Hazelcast operation failed: " + e.getMessage(), e);
    }
  }
}
