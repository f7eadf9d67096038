package dev.apicache.store.redis;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.apicache.CacheEngine;
import dev.apicache.CachePolicies;
import dev.apicache.CachePolicy;
import dev.apicache.CacheRequest;
import dev.apicache.CacheResponse;
import dev.apicache.Origin;
import dev.apicache.http.HeaderNames;
import dev.apicache.store.redis.testing.RedisProcess;
import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/** The engine over RedisStore on a private redis-server, whose command statistics are the test's alone. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class RedisEngineTest {
  private RedisProcess redis;
  private RedisClient admin;
  private StatefulRedisConnection<String, String> adminConnection;

  @BeforeAll
  void start() throws Exception {
    redis = RedisProcess.start();
    admin = RedisClient.create(redis.uri());
    adminConnection = admin.connect();
  }

  @AfterAll
  void stop() throws Exception {
    adminConnection.close();
    admin.shutdown();
    redis.close();
  }

  private static CachePolicies policies() {
    return CachePolicies.builder()
        .add(CachePolicy.forRoute("/api/products/{id}").ttl(Duration.ofMinutes(5)).tags("product:{id}").build())
        .build();
  }

  private final AtomicInteger originCalls = new AtomicInteger();
  private final Origin origin = r -> {
    originCalls.incrementAndGet();
    return CacheResponse.builder(200).header("Content-Type", "application/json").body("{\"at\":\"" + r.path() + "\"}")
        .build();
  };

  @Test
  void hit_costsExactlyOneRedisCommand() {
    RedisStore store = RedisStore.builder(redis.uri()).build();
    RedisTesting.awaitConnected(store);
    try (CacheEngine engine = CacheEngine.builder(policies(), store).build()) {
      engine.handle(CacheRequest.get("/api/products/1"), origin); // miss: get, fence, put
      assertEquals("HIT", engine.handle(CacheRequest.get("/api/products/1"), origin).headers()
          .first(HeaderNames.X_CACHE).orElseThrow());
      adminConnection.sync().configResetstat();
      int hits = 100;
      for (int i = 0; i < hits; i++) {
        CacheResponse r = engine.handle(CacheRequest.get("/api/products/1"), origin);
        assertEquals("HIT", r.headers().first(HeaderNames.X_CACHE).orElseThrow());
      }
      Map<String, Long> stats = RedisTesting.commandStats(adminConnection);
      assertEquals(hits, stats.getOrDefault("evalsha", 0L), stats::toString);
      // what the script ran inside that one round trip; no other command reached Redis
      for (Map.Entry<String, Long> e : stats.entrySet()) {
        assertTrue(List.of("evalsha", "hmget", "get", "info", "config|resetstat").contains(e.getKey()),
            "unexpected command " + e + " in " + stats);
      }
    }
  }

  @Test
  void tagInvalidationOverAHundredThousandEntries_isOneIncrAndStallsNobody() throws Exception {
    RedisStore store = RedisStore.builder(redis.uri()).keyPrefix("stall:").commandTimeout(Duration.ofSeconds(5)).build();
    RedisTesting.awaitConnected(store);
    try (CacheEngine engine = CacheEngine.builder(CachePolicies.builder()
        .add(CachePolicy.forRoute("/api/items/{id}").ttl(Duration.ofMinutes(5)).tags("hot").build()).build(), store)
        .build()) {
      int entries = 100_000;
      ExecutorService pool = Executors.newFixedThreadPool(8);
      try {
        List<Future<?>> fills = new ArrayList<>();
        for (int t = 0; t < 8; t++) {
          int from = t;
          fills.add(pool.submit(() -> {
            for (int i = from; i < entries; i += 8) {
              engine.handle(CacheRequest.get("/api/items/" + i), origin);
            }
          }));
        }
        for (Future<?> f : fills) {
          f.get(10, TimeUnit.MINUTES);
        }
      } finally {
        pool.shutdownNow();
      }
      assertEquals("HIT", engine.handle(CacheRequest.get("/api/items/7"), origin).headers()
          .first(HeaderNames.X_CACHE).orElseThrow());
      adminConnection.sync().configResetstat();
      long started = System.nanoTime();
      engine.invalidateTags("hot");
      long micros = TimeUnit.NANOSECONDS.toMicros(System.nanoTime() - started);
      Map<String, Long> stats = RedisTesting.commandStats(adminConnection);
      String slowest = adminConnection.sync().info("commandstats").lines()
          .filter(l -> l.startsWith("cmdstat_evalsha")).findFirst().orElse("");
      System.out.printf("tag invalidation over %,d entries: %d us end to end (%s)%n", entries, micros, slowest);
      assertEquals(1L, stats.getOrDefault("incr", 0L), stats::toString);
      assertEquals(1L, stats.getOrDefault("evalsha", 0L), stats::toString);
      for (int i = 0; i < entries; i += 997) {
        assertEquals("MISS", engine.handle(CacheRequest.get("/api/items/" + i), origin).headers()
            .first(HeaderNames.X_CACHE).orElseThrow(), "item " + i);
      }
    }
  }
}
