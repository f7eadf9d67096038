package dev.apicache.it;

import dev.apicache.CacheEngine;
import dev.apicache.adapter.javalin.JavalinTestServer;
import dev.apicache.adapter.testkit.AdapterConformance;
import dev.apicache.adapter.testkit.ConformanceApp;
import dev.apicache.adapter.testkit.RunningServer;
import dev.apicache.demo.DemoStore;
import dev.apicache.spi.Store;
import dev.apicache.store.redis.testing.RedisProcess;
import java.time.Duration;

/** The HTTP conformance suite on Javalin over the tiered store (Caffeine near, Redis far): {@code --store tiered}. */
class TieredConformanceTest extends AdapterConformance {
  @Override
  protected Store createStore(SettableClock clock) throws Exception {
    return DemoStore.openReady(DemoStore.Kind.TIERED, RedisProcess.shared().uri(), Duration.ofSeconds(10)).store();
  }

  @Override
  protected RunningServer start(CacheEngine engine, ConformanceApp app) {
    return JavalinTestServer.start(engine, app);
  }
}
