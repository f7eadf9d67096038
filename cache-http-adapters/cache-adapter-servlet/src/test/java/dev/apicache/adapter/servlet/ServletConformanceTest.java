package dev.apicache.adapter.servlet;

import dev.apicache.CacheEngine;
import dev.apicache.adapter.testkit.AdapterConformance;
import dev.apicache.adapter.testkit.ConformanceApp;
import dev.apicache.adapter.testkit.RunningServer;
import dev.apicache.spi.Store;
import dev.apicache.store.caffeine.CaffeineStore;

/** The conformance suite on embedded Jetty with the filter in front of a servlet serving the suite's app. */
class ServletConformanceTest extends AdapterConformance {
  @Override
  protected Store createStore(SettableClock clock) {
    return CaffeineStore.builder().ticker(clock::nanos).build();
  }

  @Override
  protected RunningServer start(CacheEngine engine, ConformanceApp app) throws Exception {
    return ServletTestServer.start(engine, app);
  }
}
