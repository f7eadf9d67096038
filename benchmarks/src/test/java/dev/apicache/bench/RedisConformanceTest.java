package dev.apicache.bench;

import dev.apicache.CacheEngine;
import dev.apicache.CacheRequest;
import dev.apicache.adapter.javalin.ApiCachePlugin;
import dev.apicache.adapter.testkit.AdapterConformance;
import dev.apicache.adapter.testkit.ConformanceApp;
import dev.apicache.adapter.testkit.RunningServer;
import dev.apicache.spi.Store;
import dev.apicache.store.redis.RedisProcess;
import dev.apicache.store.redis.RedisStore;
import io.javalin.Javalin;
import io.javalin.http.HandlerType;
import java.net.URI;
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
    return javalin(engine, app);
  }

  /** Javalin serving {@code app} through the plugin, as the adapter's own conformance test does. */
  static RunningServer javalin(CacheEngine engine, ConformanceApp app) {
    Javalin javalin = Javalin.create(config -> {
      config.jetty.host = "127.0.0.1";
      config.startup.showJavalinBanner = false;
      config.registerPlugin(ApiCachePlugin.create(engine));
      for (HandlerType method : new HandlerType[] {HandlerType.GET, HandlerType.POST, HandlerType.PUT,
          HandlerType.PATCH, HandlerType.DELETE}) {
        config.routes.addHttpHandler(method, "/<path>", ctx -> {
          String query = ctx.req().getQueryString();
          CacheRequest.Builder r = CacheRequest.builder(ctx.req().getMethod(),
              query == null ? ctx.req().getRequestURI() : ctx.req().getRequestURI() + "?" + query);
          ctx.headerMap().forEach(r::header);
          var response = app.handle(r.build());
          ctx.status(response.status());
          response.headers().forEach(ctx::header);
          ctx.result(response.body().toByteArray());
        });
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
}
