package dev.apicache.adapter.servlet;

import dev.apicache.CacheEngine;
import dev.apicache.adapter.testkit.AdapterConformance;
import dev.apicache.adapter.testkit.ConformanceApp;
import dev.apicache.adapter.testkit.RunningServer;
import dev.apicache.spi.Store;
import dev.apicache.store.caffeine.CaffeineStore;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.Map;

/** The conformance suite on embedded Jetty with the filter in front of a servlet serving the suite's app. */
class ServletConformanceTest extends AdapterConformance {
  @Override
  protected Store createStore(SettableClock clock) {
    return CaffeineStore.builder().ticker(clock::nanos).build();
  }

  @Override
  protected RunningServer start(CacheEngine engine, ConformanceApp app) throws Exception {
    HttpServlet servlet = new HttpServlet() {
      @Override
      protected void service(HttpServletRequest req, HttpServletResponse res) throws IOException {
        try {
          ApiCacheFilter.write(res, app.handle(ApiCacheFilter.snapshot(req)));
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          res.sendError(503);
        }
      }
    };
    return JettyServer.start(ApiCacheFilter.create(engine), Map.of("/*", servlet));
  }
}
