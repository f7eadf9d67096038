package dev.apicache.it;

import dev.apicache.CacheEngine;
import dev.apicache.adapter.testkit.AdversarialSuite;
import dev.apicache.adapter.testkit.ConformanceApp;
import dev.apicache.adapter.testkit.RunningServer;
import dev.apicache.demo.DemoStore;
import dev.apicache.spi.Store;
import dev.apicache.adapter.helidon.HelidonTestServer;
import java.time.Duration;

/** The adversarial suite on Helidon SE over the Hazelcast store (an embedded member in a loopback cluster of its own). */
class HazelcastHelidonAdversarialTest extends AdversarialSuite {
  @Override
  protected Store createStore(SettableClock clock) throws Exception {
    return DemoStore.openReady(DemoStore.Kind.HAZELCAST, "unused", Duration.ofSeconds(10)).store();
  }

  @Override
  protected RunningServer start(CacheEngine engine, ConformanceApp app) throws Exception {
    return HelidonTestServer.start(engine, app);
  }
}
