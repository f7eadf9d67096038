package dev.apicache.testing;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.apicache.spi.Counter;
import dev.apicache.spi.EntryKey;
import dev.apicache.spi.Fence;
import dev.apicache.spi.Store;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The contract every {@link Store} passes: extend it, create the store in {@link #createStore}, and
 * override {@link #advance} if the store's expiry cannot follow a {@link ManualClock}.
 *
 * <p>Covers round trips, expiry, counters and fences (events and tags), the race rule, concurrent
 * writers, empty and large entries, and close.
 */
public abstract class StoreContract {
  protected final ManualClock clock = new ManualClock();
  protected Store store;

  /** A new, empty store whose expiry follows {@code clock}. */
  protected abstract Store createStore(ManualClock clock);

  /**
   * Lets {@code amount} of store time pass. Stores whose expiry runs on real time (a server's
   * clock) override it to do nothing: the expiry test then polls, bounded, until the entry is gone.
   */
  protected void advance(Duration amount) {
    clock.advance(amount);
  }

  @BeforeEach
  void openStore() {
    store = createStore(clock);
  }

  @AfterEach
  void closeStore() {
    store.close();
  }

  private static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  /** The partition every key and counter of the contract lives in, as the engine's do. */
  protected static final String PARTITION = "products";

  /** The entry {@code id} of the contract's partition. */
  protected static EntryKey key(String id) {
    return new EntryKey(PARTITION, id);
  }

  /** The counter {@code id} of the contract's partition. */
  protected static Counter counter(String id) {
    return new Counter(PARTITION, id);
  }

  private Fence fence(String... counters) {
    List<Counter> names = new ArrayList<>();
    for (String c : counters) {
      names.add(counter(c));
    }
    return store.fence(names);
  }

  @Test
  void putThenGet_returnsTheSameBytes() {
    assertTrue(store.put(key("k1"), bytes("hello"), Duration.ofMinutes(1), fence("p:a")));
    assertArrayEquals(bytes("hello"), store.get(key("k1")).orElseThrow());
  }

  @Test
  void unknownKey_isAbsent() {
    assertEquals(Optional.empty(), store.get(key("never-stored")));
  }

  @Test
  void put_replacesTheEntryUnderTheSameKey() {
    store.put(key("k1"), bytes("one"), Duration.ofMinutes(1), fence("p:a"));
    store.put(key("k1"), bytes("two"), Duration.ofMinutes(1), fence("p:a"));
    assertArrayEquals(bytes("two"), store.get(key("k1")).orElseThrow());
  }

  @Test
  void entry_isGoneOnceItsTimeToLivePassed() {
    store.put(key("short"), bytes("x"), Duration.ofSeconds(2), fence("p:a"));
    store.put(key("long"), bytes("y"), Duration.ofSeconds(60), fence("p:a"));
    advance(Duration.ofSeconds(1));
    assertTrue(store.get(key("short")).isPresent());
    advance(Duration.ofSeconds(2));
    org.awaitility.Awaitility.await("() -> store.get(key(\"short\")).isEmpty()")
        .atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(20))
        .until(() -> store.get(key("short")).isEmpty());
    assertTrue(store.get(key("long")).isPresent());
  }

  @Test
  void neverBumpedCounter_readsZero() {
    Fence f = fence("p:new", "t:new");
    assertEquals(List.of(counter("p:new"), counter("t:new")), f.counters());
    assertEquals(0L, f.value(0));
    assertEquals(0L, f.value(1));
  }

  @Test
  void bump_movesTheCounterAndHidesEntriesFencedOnIt() {
    Fence before = fence("p:products");
    store.put(key("k1"), bytes("old"), Duration.ofMinutes(1), before);
    store.bump(List.of(counter("p:products")));
    assertNotEquals(before.value(0), fence("p:products").value(0));
    assertTrue(store.get(key("k1")).isEmpty());
  }

  @Test
  void bumpingTwice_neverReturnsToAnEarlierValue() {
    Set<Long> seen = new java.util.HashSet<>();
    seen.add(fence("p:a").value(0));
    for (int i = 0; i < 20; i++) {
      store.bump(List.of(counter("p:a")));
      assertTrue(seen.add(fence("p:a").value(0)), "counter value repeated");
    }
  }

  @Test
  void tagBump_dropsExactlyTheEntriesFencedOnThatTag() {
    store.put(key("product-1"), bytes("1"), Duration.ofMinutes(1), fence("p:products", "t:product:1"));
    store.put(key("product-2"), bytes("2"), Duration.ofMinutes(1), fence("p:products", "t:product:2"));
    store.bump(List.of(counter("t:product:1")));
    assertTrue(store.get(key("product-1")).isEmpty());
    assertArrayEquals(bytes("2"), store.get(key("product-2")).orElseThrow());
  }

  @Test
  void getToldItsCounters_honoursTheFenceLikeGet() {
    store.put(key("k1"), bytes("v"), Duration.ofMinutes(1), fence("p:a", "t:x"));
    assertArrayEquals(bytes("v"), store.get(key("k1"), List.of(counter("p:a"), counter("t:x"))).orElseThrow());
    store.bump(List.of(counter("t:x")));
    assertTrue(store.get(key("k1"), List.of(counter("p:a"), counter("t:x"))).isEmpty());
    assertTrue(store.get(key("k1"), List.of(counter("p:a"))).isEmpty(), "a fence counter it was not told of still counts");
    assertTrue(store.get(key("k1"), List.of()).isEmpty());
  }

  @Test
  void getWatching_returnsTheEntryWithItsWatchedCountersCurrentValues_whichNeverFenceIt() {
    store.put(key("k1"), bytes("v"), Duration.ofMinutes(1), fence("p:a", "u:/x"));
    List<Counter> watched = List.of(counter("sp:a"), counter("su:/x"));
    dev.apicache.spi.Watched first = store.getWatching(key("k1"), List.of(counter("p:a"), counter("u:/x")), watched)
        .orElseThrow();
    assertArrayEquals(bytes("v"), first.entry());
    assertEquals(watched, first.counters().counters());
    assertEquals(0L, first.counters().value(0));
    assertEquals(0L, first.counters().value(1));

    store.bump(List.of(counter("su:/x")));
    dev.apicache.spi.Watched after = store.getWatching(key("k1"), List.of(counter("p:a"), counter("u:/x")), watched)
        .orElseThrow(() -> new AssertionError("a watched counter must not fence the entry"));
    assertArrayEquals(bytes("v"), after.entry());
    assertEquals(first.counters().value(0), after.counters().value(0));
    assertNotEquals(first.counters().value(1), after.counters().value(1), "the bump that returned is seen");
    assertEquals(fence("sp:a", "su:/x"), after.counters());
  }

  @Test
  void getWatching_honoursTheFenceAndMissesLikeGet() {
    List<Counter> watched = List.of(counter("su:/x"));
    assertTrue(store.getWatching(key("absent"), List.of(counter("p:a")), watched).isEmpty());
    store.put(key("k1"), bytes("v"), Duration.ofMinutes(1), fence("p:a"));
    assertEquals(Fence.none(), store.getWatching(key("k1"), List.of(counter("p:a")), List.of()).orElseThrow()
        .counters());
    store.bump(List.of(counter("p:a")));
    assertTrue(store.getWatching(key("k1"), List.of(counter("p:a")), watched).isEmpty());
    assertTrue(store.getWatching(key("k1"), List.of(), watched).isEmpty(), "a fence counter it was not told of counts");
  }

  @Test
  void keysThatDifferOnlyInCharsUtf8CannotEncode_stayApart() {
    EntryKey one = key("+2:/\uD800"); // unpaired surrogates: UTF-8 writes both as '?'
    EntryKey two = key("+2:/\uDBFF");
    assertTrue(store.put(one, bytes("first"), Duration.ofMinutes(1), fence("p:a")));
    assertTrue(store.put(two, bytes("second"), Duration.ofMinutes(1), fence("p:a")));
    assertArrayEquals(bytes("first"), store.get(one).orElseThrow());
    assertArrayEquals(bytes("second"), store.get(two).orElseThrow());
  }

  @Test
  void put_withAFenceThatMoved_storesNothing() {
    Fence stale = fence("p:products", "u:/api/products");
    store.bump(List.of(counter("u:/api/products")));
    assertFalse(store.put(key("k1"), bytes("old"), Duration.ofMinutes(1), stale));
    assertTrue(store.get(key("k1")).isEmpty());
    assertTrue(store.put(key("k1"), bytes("new"), Duration.ofMinutes(1), fence("p:products", "u:/api/products")));
    assertArrayEquals(bytes("new"), store.get(key("k1")).orElseThrow());
  }

  @Test
  void fillRacingABump_isNeverVisibleAfterTheBump() throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(2);
    try {
      for (int round = 0; round < 200; round++) {
        EntryKey key = key("race-" + round);
        Counter counter = counter("p:race");
        Fence taken = store.fence(List.of(counter)); // the fill starts under this generation
        CyclicBarrier start = new CyclicBarrier(2);
        Future<Boolean> put = pool.submit(() -> {
          start.await(60, TimeUnit.SECONDS);
          return store.put(key, bytes("old"), Duration.ofMinutes(1), taken);
        });
        Future<?> bump = pool.submit(() -> {
          start.await(60, TimeUnit.SECONDS);
          store.bump(List.of(counter));
          return null;
        });
        put.get(60, TimeUnit.SECONDS);
        bump.get(60, TimeUnit.SECONDS);
        assertTrue(store.get(key).isEmpty(), "round " + round + ": entry filled before the bump is visible after it");
      }
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void readersSpinningOnAnEntry_neverSeeItOnceABumpReturned() throws Exception {
    ExecutorService readers = Executors.newFixedThreadPool(3);
    try {
      for (int round = 0; round < 20; round++) {
        EntryKey k = key("spin-" + round);
        Counter c = counter("u:/spin-" + round);
        assertTrue(store.put(k, bytes("v"), Duration.ofMinutes(1), store.fence(List.of(c))));
        AtomicBoolean bumped = new AtomicBoolean();
        AtomicBoolean violated = new AtomicBoolean();
        CountDownLatch reading = new CountDownLatch(3);
        List<Future<?>> work = new ArrayList<>();
        for (int t = 0; t < 3; t++) {
          work.add(readers.submit(() -> {
            reading.countDown();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            int readsAfter = 0;
            while (readsAfter < 20 && System.nanoTime() < deadline) { // spin through the bump, then a few reads more
              boolean after = bumped.get(); // read before the get: a true here means the get started later
              if (store.getWatching(k, List.of(c), List.of(counter("su:/spin"))).isPresent() && after) {
                violated.set(true);
              }
              if (store.get(k).isPresent() && after) {
                violated.set(true);
              }
              if (after) {
                readsAfter++;
              }
            }
            return null;
          }));
        }
        assertTrue(reading.await(60, TimeUnit.SECONDS));
        store.bump(List.of(c));
        bumped.set(true);
        for (Future<?> f : work) {
          f.get(60, TimeUnit.SECONDS);
        }
        assertFalse(violated.get(), "round " + round + ": a read that started after the bump saw the entry");
        assertTrue(store.get(k).isEmpty());
      }
    } finally {
      readers.shutdownNow();
    }
  }

  @Test
  void watchedValues_followEveryBump_evenWhileAnEntryIsReadOften() {
    store.put(key("w"), bytes("v"), Duration.ofMinutes(1), fence("p:a"));
    List<Counter> watched = List.of(counter("su:/w"));
    long last = store.getWatching(key("w"), List.of(counter("p:a")), watched).orElseThrow().counters().value(0);
    for (int i = 0; i < 20; i++) {
      store.getWatching(key("w"), List.of(counter("p:a")), watched); // remembered, if the store remembers
      store.bump(watched);
      long now = store.getWatching(key("w"), List.of(counter("p:a")), watched).orElseThrow().counters().value(0);
      assertNotEquals(last, now, "bump " + i);
      last = now;
    }
  }

  @Test
  void emptyAndLargeEntries_roundTrip() {
    byte[] large = new byte[1 << 20];
    new Random(42).nextBytes(large);
    store.put(key("empty"), new byte[0], Duration.ofMinutes(1), Fence.none());
    store.put(key("large"), large, Duration.ofMinutes(1), Fence.none());
    assertArrayEquals(new byte[0], store.get(key("empty")).orElseThrow());
    assertArrayEquals(large, store.get(key("large")).orElseThrow());
  }

  @Test
  void concurrentWriters_leaveEveryKeyReadableWithOneOfTheWrittenValues() throws Exception {
    int threads = 8;
    int perThread = 200;
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    CountDownLatch start = new CountDownLatch(1);
    AtomicBoolean failed = new AtomicBoolean();
    List<Future<?>> futures = new ArrayList<>();
    try {
      for (int t = 0; t < threads; t++) {
        int id = t;
        futures.add(pool.submit(() -> {
          start.await();
          for (int i = 0; i < perThread; i++) {
            if (!store.put(key("own-" + id + "-" + i), bytes(id + ":" + i), Duration.ofMinutes(1), Fence.none())) {
              failed.set(true);
            }
            store.put(key("shared"), bytes("writer-" + id), Duration.ofMinutes(1), Fence.none());
          }
          return null;
        }));
      }
      start.countDown();
      for (Future<?> f : futures) {
        f.get(60, TimeUnit.SECONDS);
      }
    } finally {
      pool.shutdownNow();
    }
    assertFalse(failed.get(), "a put with an empty fence was refused");
    for (int t = 0; t < threads; t++) {
      for (int i = 0; i < perThread; i++) {
        assertArrayEquals(bytes(t + ":" + i), store.get(key("own-" + t + "-" + i)).orElseThrow());
      }
    }
    String shared = new String(store.get(key("shared")).orElseThrow(), StandardCharsets.UTF_8);
    assertTrue(shared.matches("writer-[0-7]"), shared);
  }

  @Test
  void close_canBeCalledAfterUse() {
    store.put(key("k"), bytes("v"), Duration.ofMinutes(1), Fence.none());
    store.close();
    store = createStore(clock); // the @AfterEach close runs on a fresh one
  }
}
