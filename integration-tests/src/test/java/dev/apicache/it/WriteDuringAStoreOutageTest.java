package dev.apicache.it;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.apicache.CacheEngine;
import dev.apicache.adapter.helidon.HelidonTestServer;
import dev.apicache.adapter.javalin.JavalinTestServer;
import dev.apicache.adapter.servlet.ServletTestServer;
import dev.apicache.adapter.testkit.ConformanceApp;
import dev.apicache.adapter.testkit.RunningServer;
import dev.apicache.proxy.ApiCacheProxy;
import dev.apicache.store.redis.testing.RedisProcess;
import dev.apicache.store.redis.RedisStore;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * A write never reports success while old data can still be served: with the shared Redis frozen
 * (SIGSTOP) a write through every adapter and through the proxy is answered 503, with the
 * service's own status in {@code Cache-Status}; once Redis runs again, no read gets the data from
 * before the write, and the invalidation is recorded without anyone retrying it.
 */
class WriteDuringAStoreOutageTest {
  /** A server of this test's own: it is frozen, so no other test may share it. */
  private static RedisProcess redis;
  private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
      .connectTimeout(Duration.ofSeconds(10)).build();

  /** What puts the engine in front of the application. */
  enum Front { SERVLET, JAVALIN, HELIDON, PROXY }

  @BeforeAll
  static void startRedis() throws Exception {
    redis = RedisProcess.start();
  }

  @AfterAll
  static void stopRedis() {
    redis.close();
  }

  @ParameterizedTest
  @EnumSource(Front.class)
  void aWriteWhileTheStoreIsFrozen_isAnswered503_andNoLaterReadGetsTheOldData(Front front) throws Exception {
    ConformanceApp app = new ConformanceApp();
    RedisStore store = RedisStore.builder(redis.uri()).keyPrefix("outage:" + UUID.randomUUID() + ":")
        .commandTimeout(Duration.ofSeconds(1)).build();
    await("store::isConnected").atMost(Duration.ofSeconds(30)).until(store::isConnected);
    try (CacheEngine engine = CacheEngine.builder(ConformanceApp.policies(), store)
            .invalidationPatience(Duration.ofSeconds(3)).build();
        Served served = serve(front, engine, app)) {
      String url = served.base + "/products/outage";
      HttpResponse<String> miss = get(url);
      assertEquals("MISS", miss.headers().firstValue("X-Cache").orElse(""), miss.body());
      assertEquals("HIT", get(url).headers().firstValue("X-Cache").orElse(""));
      String before = "\"version\":" + app.version();

      redis.pause();
      try {
        HttpResponse<String> write = HTTP.send(HttpRequest.newBuilder(URI.create(url))
            .PUT(HttpRequest.BodyPublishers.ofString("{\"name\":\"new\"}")).timeout(Duration.ofSeconds(60)).build(),
            HttpResponse.BodyHandlers.ofString());
        String status = write.headers().firstValue("Cache-Status").orElse("");
        assertEquals(503, write.statusCode(), "a write whose invalidation is not recorded is no success: "
            + write.body());
        assertTrue(status.contains("detail=invalidation-pending") && status.contains("fwd-status=200"), status);
        assertTrue(write.body().startsWith("The service answered this write with 200, but the cache could not record"),
            write.body());
        String after = "\"version\":" + app.version();
        assertTrue(!after.equals(before), "the write itself reached the application");

        HttpResponse<String> whileFrozen = get(url);
        assertTrue(whileFrozen.body().contains(after), "while frozen: " + whileFrozen.body());
      } finally {
        redis.resume();
      }
      String after = "\"version\":" + app.version();
      // Redis runs again before the retried invalidation lands: every read in between gets the new data
      await("() -> { HttpResponse<String> read = get(url); assertTrue(read.body().contains(after), \"...")
          .atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(20)).until(() -> {
        HttpResponse<String> read = get(url);
        assertTrue(read.body().contains(after), "a read after the write got old data: " + read.body());
        return engine.invalidationsPending() == 0;
      });
      HttpResponse<String> refilled = get(url);
      assertTrue(refilled.body().contains(after), refilled.body());
      await("() -> \"HIT\".equals(get(url).headers().firstValue(\"X-Cache\") .orElse(\"\"))")
          .atMost(Duration.ofSeconds(30)).until(() -> "HIT".equals(get(url).headers().firstValue("X-Cache")
          .orElse("")));
    }
  }

  private static HttpResponse<String> get(String url) throws Exception {
    return HTTP.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(60)).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  /** The application behind {@code front}, over {@code engine}. */
  private static Served serve(Front front, CacheEngine engine, ConformanceApp app) throws Exception {
    switch (front) {
      case SERVLET:
        return new Served(ServletTestServer.start(engine, app), null);
      case JAVALIN:
        return new Served(JavalinTestServer.start(engine, app), null);
      case HELIDON:
        return new Served(HelidonTestServer.start(engine, app), null);
      default:
        RunningServer upstream = HelidonTestServer.startUncached(app);
        ApiCacheProxy proxy = ApiCacheProxy.builder(URI.create(upstream.baseUri().toString().replaceAll("/$", "")), engine).host("127.0.0.1").port(0).start();
        return new Served(upstream, proxy);
    }
  }

  /** A running front: an adapter's server, or the proxy and the service behind it. */
  private static final class Served implements AutoCloseable {
    final String base;
    private final RunningServer server;
    private final ApiCacheProxy proxy;

    Served(RunningServer server, ApiCacheProxy proxy) {
      this.server = server;
      this.proxy = proxy;
      this.base = proxy == null ? server.baseUri().toString().replaceAll("/$", "")
          : "http://127.0.0.1:" + proxy.port();
    }

    @Override
    public void close() {
      if (proxy != null) {
        proxy.close();
      }
      server.close();
    }
  }
}
