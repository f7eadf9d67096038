package dev.apicache.adapter.servlet;

import dev.apicache.CacheEngine;
import dev.apicache.adapter.testkit.AdversarialSuite;
import dev.apicache.adapter.testkit.ConformanceApp;
import dev.apicache.adapter.testkit.RunningServer;
import dev.apicache.spi.Store;
import dev.apicache.store.caffeine.CaffeineStore;

/** The adversarial suite on embedded Jetty, a security filter ahead of the cache filter, over the Caffeine store. */
class ServletAdversarialTest extends AdversarialSuite {
  @Override
  protected Store createStore(SettableClock clock) {
    return CaffeineStore.builder().ticker(clock::nanos).build();
  }

  @Override
  protected RunningServer start(CacheEngine engine, ConformanceApp app) throws Exception {
    return ServletTestServer.start(engine, app);
  }
}
