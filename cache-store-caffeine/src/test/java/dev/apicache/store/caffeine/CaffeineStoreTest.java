package dev.apicache.store.caffeine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.apicache.spi.EntryMemo;
import dev.apicache.spi.Fence;
import dev.apicache.spi.Footprint;
import dev.apicache.spi.Store;
import dev.apicache.testing.ManualClock;
import dev.apicache.testing.StoreContract;
import java.time.Duration;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class CaffeineStoreTest extends StoreContract {
  @Override
  protected Store createStore(ManualClock clock) {
    return CaffeineStore.builder().maximumBytes(16L << 20).ticker(clock::nanos).build();
  }

  @Test
  void weightNeverStaysAboveTheByteBound() {
    long bound = 1L << 20;
    CaffeineStore small = CaffeineStore.builder().maximumBytes(bound).ticker(clock::nanos).build();
    Random random = new Random(7);
    for (int i = 0; i < 2_000; i++) {
      byte[] value = new byte[random.nextInt(8 * 1024)];
      small.put(key("k" + i), value, Duration.ofMinutes(5), Fence.none());
      long weight = small.weightedSize();
      assertTrue(weight <= bound, "weight " + weight + " above bound " + bound + " after put " + i);
    }
    assertTrue(small.estimatedSize() > 0 && small.estimatedSize() < 2_000, "evicted nothing or everything");
    Footprint f = small.footprint().orElseThrow();
    assertEquals(small.estimatedSize(), f.entries());
    assertEquals(small.weightedSize(), f.bytes());
    assertEquals(2_000 - small.estimatedSize(), f.evictions(), "every entry not kept was evicted, and counted");
  }

  @Test
  void anEntryLargerThanTheBound_isNotKept() {
    CaffeineStore small = CaffeineStore.builder().maximumBytes(1024).ticker(clock::nanos).build();
    small.put(key("big"), new byte[4096], Duration.ofMinutes(5), Fence.none());
    assertTrue(small.get(key("big")).isEmpty());
    assertTrue(small.weightedSize() <= 1024);
  }

  @Test
  void whatTheEngineKeepsBesideAnEntry_isCountedInItsWeight_andKeepsItsDeadline() {
    CaffeineStore s = CaffeineStore.builder().maximumBytes(16L << 20).ticker(clock::nanos).build();
    s.put(key("k"), new byte[1000], Duration.ofSeconds(30), Fence.none());
    long before = s.weightedSize();
    EntryMemo memo = s.getWatching(key("k"), List.of(), List.of()).orElseThrow().memo();
    assertNotNull(memo, "an in-process store offers a memo");
    assertNull(memo.kept());
    Object decoded = new Object();
    memo.keep(decoded, 2_000);
    assertEquals(before + 2_000, s.weightedSize(), "the memo's heap is counted toward the bound");
    assertSame(decoded, s.getWatching(key("k"), List.of(), List.of()).orElseThrow().memo().kept(),
        "every read of the entry hands out the same memo");
    clock.advance(Duration.ofSeconds(29));
    assertTrue(s.get(key("k")).isPresent());
    clock.advance(Duration.ofSeconds(2));
    assertTrue(s.get(key("k")).isEmpty(), "keeping a memo did not extend the entry's life");
  }

  @Test
  void aMemoOfAReplacedEntry_keepsNothing_andCountsNothing() {
    CaffeineStore s = CaffeineStore.builder().maximumBytes(16L << 20).ticker(clock::nanos).build();
    s.put(key("k"), new byte[100], Duration.ofMinutes(1), Fence.none());
    EntryMemo old = s.getWatching(key("k"), List.of(), List.of()).orElseThrow().memo();
    s.put(key("k"), new byte[100], Duration.ofMinutes(1), Fence.none());
    long before = s.weightedSize();
    old.keep(new Object(), 5_000);
    assertNull(old.kept());
    assertEquals(before, s.weightedSize());
    assertNull(s.getWatching(key("k"), List.of(), List.of()).orElseThrow().memo().kept());
  }

  @Test
  void anEntryNobodyReads_isClearedOut_afterTheLongestLifetimeStored() {
    CaffeineStore s = CaffeineStore.builder().maximumBytes(16L << 20).ticker(clock::nanos).build();
    s.put(key("short"), new byte[100], Duration.ofSeconds(10), Fence.none());
    s.put(key("long"), new byte[100], Duration.ofMinutes(5), Fence.none());
    clock.advance(Duration.ofSeconds(11));
    assertTrue(s.get(key("short")).isEmpty(), "past its deadline an entry is never returned");
    assertTrue(s.get(key("long")).isPresent());
    s.put(key("unread"), new byte[100], Duration.ofSeconds(10), Fence.none());
    clock.advance(Duration.ofMinutes(5));
    assertTrue(s.get(key("long")).isEmpty());
    s.weightedSize(); // runs the cache's maintenance
    assertEquals(0, s.estimatedSize(), "entries past their lifetime, read or not, are gone");
  }
}
