package dev.apicache.adapter.helidon;

import dev.apicache.CacheEngine;
import dev.apicache.adapter.testkit.AdapterConformance;
import dev.apicache.adapter.testkit.ConformanceApp;
import dev.apicache.adapter.testkit.RunningServer;
import dev.apicache.spi.Store;
import dev.apicache.store.caffeine.CaffeineStore;

/** The conformance suite on a real Helidon SE WebServer with the feature in front of a catch-all route. */
class HelidonConformanceTest extends AdapterConformance {
  @Override
  protected Store createStore(SettableClock clock) {
    return CaffeineStore.builder().ticker(clock::nanos).build();
  }

  /** Helidon answers a thrown exception with its own 500, of a fixed length, through the response the cache holds. */
  /** Helidon 4 answers HTTP/1.0 with 505 by design (the README's Helidon section says so). */
  @Override
  protected boolean servesHttp10() {
    return false;
  }

  @Override
  protected boolean staleIfErrorCoversAThrowingHandler() {
    return false;
  }

  @Override
  protected RunningServer start(CacheEngine engine, ConformanceApp app) {
    return HelidonTestServer.start(engine, app);
  }
}
