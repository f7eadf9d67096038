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

/**
 * The HTTP conformance suite on Javalin over the Redis store (the demo's {@code --store redis}), on
 * a redis-server of the tests' own. Redis expires entries on its own clock; the suite's clock moves only
 * the engine's freshness, which is what the suite checks.
 */
class RedisConformanceTest extends AdapterConformance {
  @Override
  protected Store createStore(SettableClock clock) throws Exception {
    return DemoStore.openReady(DemoStore.Kind.REDIS, RedisProcess.shared().uri(), Duration.ofSeconds(10)).store();
  }

  @Override
  protected RunningServer start(CacheEngine engine, ConformanceApp app) {
    return JavalinTestServer.start(engine, app);
  }
}
