package dev.apicache.proxy;

import dev.apicache.CacheEngine;
import dev.apicache.adapter.testkit.AdversarialSuite;
import dev.apicache.adapter.testkit.ConformanceApp;
import dev.apicache.adapter.testkit.RunningServer;
import dev.apicache.spi.Store;
import dev.apicache.store.caffeine.CaffeineStore;

/** The adversarial suite through the proxy, in policy mode, in front of the uncached application. */
class ProxyAdversarialTest extends AdversarialSuite {
  @Override
  protected Store createStore(SettableClock clock) {
    return CaffeineStore.builder().ticker(clock::nanos).build();
  }

  @Override
  protected RunningServer start(CacheEngine engine, ConformanceApp app) {
    return ProxiedConformanceServer.start(engine, app);
  }

  @Override
  protected boolean runsBehindTheApplicationsAccessControl() {
    return false; // in front of the service: ProxyLimitsTest shows what it does instead
  }
}
