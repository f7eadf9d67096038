package dev.apicache.store.hazelcast;

import com.hazelcast.core.HazelcastInstance;
import dev.apicache.spi.Store;
import dev.apicache.testing.ManualClock;
import dev.apicache.testing.StoreContract;
import java.time.Duration;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/** The store contract on one embedded Hazelcast member, a map of its own per test. */
class HazelcastStoreTest extends StoreContract {
  private static HazelcastInstance member;

  @BeforeAll
  static void startMember() {
    member = HazelcastTesting.member(HazelcastTesting.newClusterName());
  }

  @AfterAll
  static void stopMember() {
    member.shutdown();
  }

  @Override
  protected Store createStore(ManualClock clock) {
    return HazelcastStore.create(member, "apicache-" + UUID.randomUUID());
  }

  /** Hazelcast expires entries on its own clock; the contract polls until the entry is gone. */
  @Override
  protected void advance(Duration amount) {
  }
}
