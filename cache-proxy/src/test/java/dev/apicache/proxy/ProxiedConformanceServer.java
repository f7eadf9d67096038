package dev.apicache.proxy;

import dev.apicache.CacheEngine;
import dev.apicache.adapter.helidon.HelidonTestServer;
import dev.apicache.adapter.testkit.ConformanceApp;
import dev.apicache.adapter.testkit.RunningServer;
import java.net.URI;

/**
 * The suites' application on Helidon without a cache, and {@code apicache proxy} in front of it
 * with the suites' policies: the shape of a sidecar in front of a service in another language.
 */
final class ProxiedConformanceServer {
  private ProxiedConformanceServer() {}

  static RunningServer start(CacheEngine engine, ConformanceApp app) {
    RunningServer upstream = HelidonTestServer.startUncached(app);
    ApiCacheProxy proxy = ApiCacheProxy.builder(upstream.baseUri(), engine).port(0)
        .adminToken(ConformanceApp.ADMIN_TOKEN).start();
    return new RunningServer() {
      @Override
      public URI baseUri() {
        return proxy.address();
      }

      @Override
      public void close() {
        proxy.close();
        upstream.close();
      }
    };
  }
}
