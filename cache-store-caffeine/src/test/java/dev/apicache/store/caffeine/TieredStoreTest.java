package dev.apicache.store.caffeine;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.apicache.spi.EntryKey;
import dev.apicache.spi.Fence;
import dev.apicache.spi.Store;
import dev.apicache.testing.FaultyStore;
import dev.apicache.testing.InMemoryStore;
import dev.apicache.testing.LocalInvalidationBus;
import dev.apicache.testing.ManualClock;
import dev.apicache.testing.StoreContract;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The store contract over an in-memory far store, and near-copy coherence between two nodes. */
class TieredStoreTest extends StoreContract {
  private final LocalInvalidationBus.Network network = new LocalInvalidationBus.Network();

  @Override
  protected Store createStore(ManualClock clock) {
    return TieredStore.builder(new InMemoryStore(clock), network.join()).ticker(clock::nanos).build();
  }

  private static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  /** Two nodes over one far store; the far store counts its reads so near hits are visible. */
  private final class TwoNodes {
    final InMemoryStore shared = new InMemoryStore(clock);
    final FaultyStore farA = new FaultyStore(shared);
    final FaultyStore farB = new FaultyStore(shared);
    final LocalInvalidationBus busA = network.join();
    final LocalInvalidationBus busB = network.join();
    final TieredStore a = TieredStore.builder(farA, busA).ticker(clock::nanos).build();
    final TieredStore b = TieredStore.builder(farB, busB).ticker(clock::nanos).build();

    void fill(TieredStore node, EntryKey key, String value) {
      Fence f = node.fence(List.of(counter("p:x")));
      assertTrue(node.put(key, bytes(value), Duration.ofMinutes(5), f));
    }
  }

  @Test
  void aFarStoreThatHangs_isBoundedByTheTieredStore_whoseNearHitsNeedNoHandOff() {
    FaultyStore far = new FaultyStore(new InMemoryStore(clock)); // declares its calls unbounded
    try (TieredStore node = TieredStore.builder(far, network.join()).ticker(clock::nanos)
        .farTimeout(Duration.ofSeconds(2)).build()) { // a hang costs it; a healthy call on a busy machine does not
      assertTrue(node.callsAreBounded(), "near calls are in memory and far ones bounded here");
      EntryKey k = key("hang");
      assertTrue(node.put(k, bytes("v"), Duration.ofMinutes(5), node.fence(List.of(counter("p:x")))));
      far.mode(FaultyStore.Mode.HANG);
      try {
        assertArrayEquals(bytes("v"), node.get(k).orElseThrow(), "a near hit never waits for the far store");
        dev.apicache.StoreException e = org.junit.jupiter.api.Assertions.assertThrows(
            dev.apicache.StoreException.class, () -> node.get(key("never-stored")));
        assertTrue(e instanceof dev.apicache.StoreTimeoutException, e.toString());
        org.junit.jupiter.api.Assertions.assertThrows(dev.apicache.StoreException.class,
            () -> node.bump(List.of(counter("p:x"))));
      } finally {
        far.heal();
      }
      assertTrue(node.get(key("never-stored")).isEmpty(), "healthy again");
    }
  }

  @Test
  void nearHit_doesNotReachTheFarStore() {
    TwoNodes n = new TwoNodes();
    n.fill(n.a, key("k"), "v");
    int farCalls = n.farA.calls();
    for (int i = 0; i < 10; i++) {
      assertArrayEquals(bytes("v"), n.a.get(key("k")).orElseThrow());
    }
    assertEquals(farCalls, n.farA.calls());
  }

  @Test
  void invalidationOnOneNode_dropsTheOtherNodesNearCopies() {
    TwoNodes n = new TwoNodes();
    n.fill(n.a, key("k"), "v");
    assertTrue(n.b.get(key("k")).isPresent()); // b copies it near
    n.a.bump(List.of(counter("p:x")));
    assertTrue(n.b.get(key("k")).isEmpty());
    assertTrue(n.a.get(key("k")).isEmpty());
  }

  @Test
  void lostMessages_cannotLeaveStaleNearCopies() {
    TwoNodes n = new TwoNodes();
    n.fill(n.a, key("k"), "v");
    assertTrue(n.b.get(key("k")).isPresent());
    n.busB.disconnect();
    assertFalse(n.b.nearInUse());
    n.a.bump(List.of(counter("p:x"))); // b never hears of it
    assertTrue(n.b.get(key("k")).isEmpty(), "b must ask the far store while its bus is down");
    n.busB.reconnect();
    assertTrue(n.b.nearInUse());
    assertTrue(n.b.get(key("k")).isEmpty());
  }

  @Test
  void nearCopies_expireAfterNearMaxAgeWhateverTheBusSays() {
    InMemoryStore far = new InMemoryStore(clock);
    TieredStore node = TieredStore.builder(far, network.join()).ticker(clock::nanos).nearMaxAge(Duration.ofSeconds(2))
        .build();
    node.put(key("k"), bytes("v"), Duration.ofMinutes(5), Fence.none());
    far.close(); // the far store forgets it, without any message
    clock.advance(Duration.ofSeconds(1));
    assertTrue(node.get(key("k")).isPresent());
    clock.advance(Duration.ofSeconds(2));
    assertTrue(node.get(key("k")).isEmpty());
  }
}
