package dev.apicache.it;

import dev.apicache.CacheEngine;
import dev.apicache.adapter.testkit.AdversarialSuite;
import dev.apicache.adapter.testkit.ConformanceApp;
import dev.apicache.adapter.testkit.RunningServer;
import dev.apicache.demo.DemoStore;
import dev.apicache.spi.Store;
import dev.apicache.store.redis.testing.RedisProcess;
import dev.apicache.adapter.servlet.ServletTestServer;
import java.time.Duration;

/** The adversarial suite on Jetty with the servlet filter over the Redis store, on a redis-server of the tests' own. */
class RedisServletAdversarialTest extends AdversarialSuite {
  @Override
  protected Store createStore(SettableClock clock) throws Exception {
    return DemoStore.openReady(DemoStore.Kind.REDIS, RedisProcess.shared().uri(), Duration.ofSeconds(10)).store();
  }

  @Override
  protected RunningServer start(CacheEngine engine, ConformanceApp app) throws Exception {
    return ServletTestServer.start(engine, app);
  }
}
