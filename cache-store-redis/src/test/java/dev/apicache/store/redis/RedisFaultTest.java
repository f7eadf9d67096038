package dev.apicache.store.redis;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.apicache.CacheEngine;
import dev.apicache.CachePolicies;
import dev.apicache.CachePolicy;
import dev.apicache.CacheRequest;
import dev.apicache.CacheResponse;
import dev.apicache.Origin;
import dev.apicache.http.HeaderNames;
import dev.apicache.store.redis.testing.RedisProcess;
import io.lettuce.core.KeyScanCursor;
import io.lettuce.core.RedisClient;
import io.lettuce.core.ScanArgs;
import io.lettuce.core.api.StatefulRedisConnection;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * Redis faults with real processes: down at start, killed mid-traffic, blackholed or slow behind a
 * proxy, and a corrupt entry. Every request is still answered by the origin, within the command
 * timeout plus the origin's time, and the cache comes back by itself.
 */
class RedisFaultTest {
  private static final Duration COMMAND_TIMEOUT = Duration.ofMillis(100);
  private final AtomicInteger originCalls = new AtomicInteger();
  private final Origin origin = r -> {
    originCalls.incrementAndGet();
    return CacheResponse.builder(200).body("{\"path\":\"" + r.path() + "\"}").build();
  };

  private static CacheEngine engine(RedisStore store) {
    return CacheEngine.builder(CachePolicies.builder()
        .add(CachePolicy.forRoute("/api/products/{id}").ttl(Duration.ofMinutes(5)).build()).build(), store).build();
  }

  private static RedisStore store(String uri) {
    return RedisStore.builder(uri).commandTimeout(COMMAND_TIMEOUT).build();
  }

  private String xCache(CacheEngine engine, String path) {
    CacheResponse r = assertTimeoutPreemptively(Duration.ofSeconds(30),
        () -> engine.handle(CacheRequest.get(path), origin));
    assertEquals(200, r.status(), path);
    return r.headers().first(HeaderNames.X_CACHE).orElseThrow();
  }

  /**
   * Serves 1,000 requests while the store is failing: each is a MISS from the origin, and the number
   * of threads does not grow with the number of requests (nothing waits in the background). The
   * count is taken after the first 500, by when the client's fixed pools, whose threads start
   * lazily as reconnect attempts reach them, have started: a loaded machine reaches more of them
   * sooner, which is no pile-up.
   */
  private void assertNoPileUp(CacheEngine engine, String path) {
    for (int i = 0; i < 500; i++) {
      assertEquals("MISS", xCache(engine, path));
    }
    int threads = Thread.activeCount();
    for (int i = 0; i < 500; i++) {
      assertEquals("MISS", xCache(engine, path));
    }
    assertTrue(Thread.activeCount() <= threads + 4, "threads grew from " + threads + " to " + Thread.activeCount());
  }

  private void awaitHit(CacheEngine engine, String path) {
    await("() -> \"HIT\".equals(xCache(engine, path))")
        .atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(50))
        .until(() -> "HIT".equals(xCache(engine, path)));
  }

  @Test
  void redisDownAtStart_servesFromTheOriginThenCachesOnceRedisIsUp() throws Exception {
    int port = RedisProcess.freePort();
    try (RedisStore store = store("redis://127.0.0.1:" + port); CacheEngine engine = engine(store)) {
      for (int i = 0; i < 20; i++) {
        assertEquals("MISS", xCache(engine, "/api/products/1"));
      }
      assertTrue(engine.stats().total().storeErrors() > 0);
      try (RedisProcess redis = RedisProcess.notStarted(port)) {
        redis.startAgain();
        awaitHit(engine, "/api/products/1");
      }
    }
  }

  @Test
  void redisKilledMidTraffic_requestsKeepBeingServedAndTheCacheResumesAfterRestart() throws Exception {
    try (RedisProcess redis = RedisProcess.start();
        RedisStore store = store(redis.uri());
        CacheEngine engine = engine(store)) {
      RedisTesting.awaitConnected(store);
      awaitHit(engine, "/api/products/2");
      redis.kill();
      assertNoPileUp(engine, "/api/products/2");
      redis.startAgain();
      awaitHit(engine, "/api/products/2");
    }
  }

  @Test
  void blackholedRedis_costsAtMostTheTimeoutAndRecovers() throws Exception {
    try (RedisProcess redis = RedisProcess.start();
        TcpProxy proxy = new TcpProxy(redis.port());
        RedisStore store = store(proxy.uri());
        CacheEngine engine = engine(store)) {
      RedisTesting.awaitConnected(store);
      awaitHit(engine, "/api/products/3");
      proxy.blackhole(true);
      int before = originCalls.get();
      assertNoPileUp(engine, "/api/products/3");
      assertEquals(before + 1000, originCalls.get());
      proxy.blackhole(false);
      awaitHit(engine, "/api/products/3");
    }
  }

  @Test
  void slowRedis_isTreatedAsFailingAndUsedAgainWhenFast() throws Exception {
    try (RedisProcess redis = RedisProcess.start();
        TcpProxy proxy = new TcpProxy(redis.port());
        RedisStore store = store(proxy.uri());
        CacheEngine engine = engine(store)) {
      RedisTesting.awaitConnected(store);
      awaitHit(engine, "/api/products/4");
      proxy.delay(300);
      for (int i = 0; i < 10; i++) {
        assertEquals("MISS", xCache(engine, "/api/products/4"));
      }
      assertTrue(engine.stats().total().storeErrors() >= 5);
      proxy.delay(0);
      awaitHit(engine, "/api/products/4");
    }
  }

  @Test
  void corruptEntry_isAMissAndIsReplaced() throws Exception {
    try (RedisProcess redis = RedisProcess.start();
        RedisStore store = store(redis.uri());
        CacheEngine engine = engine(store)) {
      RedisTesting.awaitConnected(store);
      awaitHit(engine, "/api/products/5");
      RedisClient client = RedisClient.create(redis.uri());
      try (StatefulRedisConnection<String, String> c = client.connect()) {
        KeyScanCursor<String> keys = c.sync().scan(ScanArgs.Builder.matches("*:e:*").limit(1000));
        assertEquals(1, keys.getKeys().size(), keys.getKeys().toString());
        c.sync().hset(keys.getKeys().get(0), "b", "not an entry");
      } finally {
        client.shutdown();
      }
      long errors = engine.stats().total().storeErrors();
      assertEquals("MISS", xCache(engine, "/api/products/5"));
      assertEquals(errors + 1, engine.stats().total().storeErrors());
      assertEquals("HIT", xCache(engine, "/api/products/5"));
    }
  }
}
