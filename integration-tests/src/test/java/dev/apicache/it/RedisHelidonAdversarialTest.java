package dev.apicache.it;

import dev.apicache.CacheEngine;
import dev.apicache.adapter.testkit.AdversarialSuite;
import dev.apicache.adapter.testkit.ConformanceApp;
import dev.apicache.adapter.testkit.RunningServer;
import dev.apicache.demo.DemoStore;
import dev.apicache.spi.Store;
import dev.apicache.store.redis.testing.RedisProcess;
import dev.apicache.adapter.helidon.HelidonTestServer;
import java.time.Duration;

/** The adversarial suite on Helidon SE over the Redis store, on a redis-server of the tests' own. */
class RedisHelidonAdversarialTest extends AdversarialSuite {
  @Override
  protected Store createStore(SettableClock clock) throws Exception {
    return DemoStore.openReady(DemoStore.Kind.REDIS, RedisProcess.shared().uri(), Duration.ofSeconds(10)).store();
  }

  @Override
  protected RunningServer start(CacheEngine engine, ConformanceApp app) throws Exception {
    return HelidonTestServer.start(engine, app);
  }
}
