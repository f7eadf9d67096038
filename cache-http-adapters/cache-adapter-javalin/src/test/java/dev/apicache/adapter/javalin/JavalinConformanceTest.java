package dev.apicache.adapter.javalin;

import dev.apicache.CacheEngine;
import dev.apicache.CacheRequest;
import dev.apicache.adapter.testkit.AdapterConformance;
import dev.apicache.adapter.testkit.ConformanceApp;
import dev.apicache.adapter.testkit.RunningServer;
import dev.apicache.spi.Store;
import dev.apicache.store.caffeine.CaffeineStore;
import io.javalin.Javalin;
import io.javalin.http.Context;
import io.javalin.http.HandlerType;
import java.net.URI;

class JavalinConformanceTest extends AdapterConformance {

  @Override
  protected Store createStore(SettableClock clock) {
    return CaffeineStore.builder().ticker(clock::nanos).build();
  }

  @Override
  protected RunningServer start(CacheEngine engine, ConformanceApp app) {
    Javalin javalin = Javalin.create(config -> {
      config.jetty.host = "127.0.0.1";
      config.registerPlugin(ApiCachePlugin.create(engine));
      for (HandlerType method : new HandlerType[] {HandlerType.GET, HandlerType.POST, HandlerType.PUT,
          HandlerType.PATCH, HandlerType.DELETE}) {
        config.routes.addHttpHandler(method, "/<path>", ctx -> serve(ctx, app));
      }
    }).start(0);
    return new RunningServer() {
      @Override
      public URI baseUri() {
        return URI.create("http://127.0.0.1:" + javalin.port());
      }

      @Override
      public void close() {
        javalin.stop();
      }
    };
  }

  private static void serve(Context ctx, ConformanceApp app) throws Exception {
    CacheRequest request = ApiCachePlugin.snapshot(ctx);
    ApiCachePlugin.write(ctx, app.handle(request));
  }
}
