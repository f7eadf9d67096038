package dev.apicache.adapter.helidon;

import dev.apicache.CacheEngine;
import dev.apicache.adapter.testkit.AdapterConformance;
import dev.apicache.adapter.testkit.ConformanceApp;
import dev.apicache.adapter.testkit.RunningServer;
import dev.apicache.spi.Store;
import dev.apicache.store.caffeine.CaffeineStore;
import io.helidon.webserver.WebServer;
import java.net.URI;

/** The conformance suite on a real Helidon SE WebServer with the feature in front of a catch-all route. */
class HelidonConformanceTest extends AdapterConformance {
  @Override
  protected Store createStore(SettableClock clock) {
    return CaffeineStore.builder().ticker(clock::nanos).build();
  }

  @Override
  protected RunningServer start(CacheEngine engine, ConformanceApp app) {
    WebServer server = WebServer.builder()
        .host("127.0.0.1")
        .port(0)
        .routing(routing -> routing
            .addFeature(ApiCacheFeature.create(engine))
            .any((req, res) -> ApiCacheFeature.write(res, app.handle(ApiCacheFeature.snapshot(req)))))
        .build()
        .start();
    return new RunningServer() {
      @Override
      public URI baseUri() {
        return URI.create("http://127.0.0.1:" + server.port());
      }

      @Override
      public void close() {
        server.stop();
      }
    };
  }
}
