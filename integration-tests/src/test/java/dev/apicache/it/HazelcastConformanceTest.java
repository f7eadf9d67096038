package dev.apicache.it;

import dev.apicache.CacheEngine;
import dev.apicache.adapter.javalin.JavalinTestServer;
import dev.apicache.adapter.testkit.AdapterConformance;
import dev.apicache.adapter.testkit.ConformanceApp;
import dev.apicache.adapter.testkit.RunningServer;
import dev.apicache.demo.DemoStore;
import dev.apicache.spi.Store;
import java.time.Duration;

/** The HTTP conformance suite on Javalin over the Hazelcast store (an embedded member): {@code --store hazelcast}. */
class HazelcastConformanceTest extends AdapterConformance {
  @Override
  protected Store createStore(SettableClock clock) throws Exception {
    return DemoStore.openReady(DemoStore.Kind.HAZELCAST, "unused", Duration.ofSeconds(10)).store();
  }

  @Override
  protected RunningServer start(CacheEngine engine, ConformanceApp app) {
    return JavalinTestServer.start(engine, app);
  }
}
