package dev.apicache;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.apicache.spi.Counter;
import dev.apicache.spi.EntryKey;
import dev.apicache.spi.Fence;
import dev.apicache.spi.Store;
import dev.apicache.testing.InMemoryStore;
import dev.apicache.testing.ManualClock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.quicktheories.QuickTheory;
import org.quicktheories.generators.SourceDSL;

/** The typed names core hands stores: every name of a request is in its policy's partition. */
class StoreNamesTest {

  @Test
  void namesRefuseAPartitionAFlatFormCouldNotSeparate() {
    assertThrows(IllegalArgumentException.class, () -> new EntryKey("a|b", "k"));
    assertThrows(IllegalArgumentException.class, () -> new Counter("", "p:x"));
    assertThrows(IllegalArgumentException.class, () -> new Counter("p", ""));
    assertEquals("products|p:x", new Counter("products", "p:x").flat());
  }

  @Test
  void flatForms_areDistinctForDistinctNames() {
    QuickTheory.qt().forAll(SourceDSL.strings().allPossible().ofLengthBetween(1, 6),
        SourceDSL.strings().allPossible().ofLengthBetween(1, 6),
        SourceDSL.strings().allPossible().ofLengthBetween(1, 6),
        SourceDSL.strings().allPossible().ofLengthBetween(1, 6))
        .assuming((p1, i1, p2, i2) -> p1.indexOf('|') < 0 && p2.indexOf('|') < 0)
        .check((p1, i1, p2, i2) -> new EntryKey(p1, i1).equals(new EntryKey(p2, i2))
            == new EntryKey(p1, i1).flat().equals(new EntryKey(p2, i2).flat()));
  }

  @Test
  void anEntryAndEveryCounterOfItsFence_shareThePolicysPartition() {
    CachePolicies policies = CachePolicies.builder()
        .add(CachePolicy.forRoute("/api/products/{id}").ttl(Duration.ofSeconds(60)).tags("product:{id}", "all")
            .invalidateOn("product.updated").build())
        .build();
    List<Counter> seen = new ArrayList<>();
    InMemoryStore memory = new InMemoryStore(new ManualClock());
    Store recording = new Store() {
      @Override
      public Optional<byte[]> get(EntryKey key) {
        return memory.get(key);
      }

      @Override
      public Fence fence(List<Counter> counters) {
        seen.addAll(counters);
        return memory.fence(counters);
      }

      @Override
      public boolean put(EntryKey key, byte[] entry, Duration timeToLive, Fence fence) {
        return memory.put(key, entry, timeToLive, fence);
      }

      @Override
      public void bump(Collection<Counter> counters) {
        memory.bump(counters);
      }

      @Override
      public void close() {
        memory.close();
      }
    };
    try (CacheEngine engine = CacheEngine.builder(policies, recording).build()) {
      Admission.Cacheable c = (Admission.Cacheable) engine.admit(CacheRequest.get("/api/products/7"));
      engine.handle(c, r -> CacheResponse.builder(200).body("x").build());
      String partition = c.key().storeKey().partition();
      assertEquals(CacheKey.partitionOf(c.policy().id()), partition);
      assertEquals(6, seen.size(), "policy, URL, two tags and the two soft-purge counters: " + seen);
      for (Counter counter : seen) {
        assertEquals(partition, counter.partition(), counter.toString());
      }
      assertNotEquals(seen.get(0), seen.get(1));
      assertTrue(seen.stream().anyMatch(x -> x.id().equals("t:product:7")), seen.toString());
    }
  }
}
