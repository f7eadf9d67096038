package dev.apicache.adapter.javalin;

import dev.apicache.CacheEngine;
import dev.apicache.adapter.testkit.AdapterConformance;
import dev.apicache.adapter.testkit.ConformanceApp;
import dev.apicache.adapter.testkit.RunningServer;
import dev.apicache.spi.Store;
import dev.apicache.store.caffeine.CaffeineStore;

/** The conformance suite on Javalin 7 with the plugin, over the Caffeine store. */
class JavalinConformanceTest extends AdapterConformance {
  @Override
  protected Store createStore(SettableClock clock) {
    return CaffeineStore.builder().ticker(clock::nanos).build();
  }

  @Override
  protected RunningServer start(CacheEngine engine, ConformanceApp app) {
    return JavalinTestServer.start(engine, app);
  }
}
