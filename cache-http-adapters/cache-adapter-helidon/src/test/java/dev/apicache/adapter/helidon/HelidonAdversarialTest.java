package dev.apicache.adapter.helidon;

import dev.apicache.CacheEngine;
import dev.apicache.adapter.testkit.AdversarialSuite;
import dev.apicache.adapter.testkit.ConformanceApp;
import dev.apicache.adapter.testkit.RunningServer;
import dev.apicache.spi.Store;
import dev.apicache.store.caffeine.CaffeineStore;

/** The adversarial suite on a real Helidon SE WebServer over the Caffeine store. */
class HelidonAdversarialTest extends AdversarialSuite {
  @Override
  protected Store createStore(SettableClock clock) {
    return CaffeineStore.builder().ticker(clock::nanos).build();
  }

  @Override
  protected RunningServer start(CacheEngine engine, ConformanceApp app) {
    return HelidonTestServer.start(engine, app);
  }
}
