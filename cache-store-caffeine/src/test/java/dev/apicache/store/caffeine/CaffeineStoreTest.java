package dev.apicache.store.caffeine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.apicache.spi.Fence;
import dev.apicache.spi.Footprint;
import dev.apicache.spi.Store;
import dev.apicache.testing.ManualClock;
import dev.apicache.testing.StoreContract;
import java.time.Duration;
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
}
