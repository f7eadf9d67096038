package dev.apicache.bench;

import dev.apicache.CacheEngine;
import dev.apicache.CachePolicies;
import dev.apicache.CachePolicy;
import dev.apicache.CacheRequest;
import dev.apicache.CacheResponse;
import dev.apicache.demo.RedisKeys;
import dev.apicache.store.redis.RedisStore;
import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.async.RedisAsyncCommands;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Invalidating a product listing with {@code entries} entries stored on the same Redis: apicache's
 * event and tag invalidations (one counter each) against the approach of the layer apicache
 * replaces ({@code KEYS cache:/api/products:*}, then {@code DEL} of every key). Single shots, the
 * store filled before each. Target: apicache flat and at most 1 ms at every size.
 *
 * <p>Needs Redis on 127.0.0.1:6379. Run: {@code ./apicache bench InvalidationBenchmark}; the 10⁶ row fills a
 * million entries and takes about ten minutes, so {@code -p entries=1000,10000,100000} gives a quick run.
 */
@BenchmarkMode(Mode.SingleShotTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 2)
@Measurement(iterations = 5)
@Fork(1)
@State(Scope.Benchmark)
public class InvalidationBenchmark {
  @Param({"1000", "10000", "100000", "1000000"})
  public int entries;

  private static final String REDIS = "redis://127.0.0.1:6379";
  private RedisClient client;
  private StatefulRedisConnection<String, String> connection;
  private CacheEngine engine;
  private String seedPrefix;
  private String apicachePrefix;

  @Setup(Level.Trial)
  public void setUp() throws Exception {
    client = RedisClient.create(REDIS);
    connection = client.connect();
    apicachePrefix = "bench:" + UUID.randomUUID() + ":";
    RedisStore store = RedisStore.builder(REDIS).keyPrefix(apicachePrefix).commandTimeout(Duration.ofSeconds(5)).build();
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (!store.isConnected() && System.nanoTime() < deadline) {
      Thread.sleep(10); // set-up only: wait for the connection
    }
    engine = CacheEngine.builder(CachePolicies.builder()
        .add(CachePolicy.forRoute("/api/products").ttl(Duration.ofHours(1)).varyBy("page")
            .invalidateOn("product.updated").build())
        .add(CachePolicy.forRoute("/api/products/{id}").ttl(Duration.ofHours(1)).tags("hot").build())
        .build(), store).build();
    ExecutorService fill = Executors.newFixedThreadPool(8);
    try {
      List<Future<?>> parts = new ArrayList<>();
      for (int t = 0; t < 8; t++) {
        int from = t;
        parts.add(fill.submit(() -> {
          for (int i = from; i < entries; i += 8) {
            engine.handle(CacheRequest.get("/api/products?page=" + i), r -> CacheResponse.builder(200).body("x")
                .build());
          }
        }));
      }
      for (Future<?> part : parts) {
        part.get();
      }
    } finally {
      fill.shutdown();
    }
    seedPrefix = "cache:" + UUID.randomUUID() + ":/api/products:";
  }

  /** The seed's keys come back before every shot: its invalidation deletes them. */
  @Setup(Level.Iteration)
  public void fillSeedKeys() {
    RedisAsyncCommands<String, String> async = connection.async();
    connection.setAutoFlushCommands(false);
    for (int i = 0; i < entries; i++) {
      async.setex(seedPrefix + i, 3600, "x");
      if (i % 1000 == 999) {
        connection.flushCommands();
      }
    }
    connection.flushCommands();
    connection.setAutoFlushCommands(true);
    connection.sync().ping();
  }

  /** Leaves the shared Redis as it was: up to a million entries of each kind would otherwise linger. */
  @TearDown(Level.Trial)
  public void tearDown() {
    engine.close();
    RedisKeys.deleteMatching(connection.sync(), seedPrefix + "*");
    RedisKeys.deleteMatching(connection.sync(), apicachePrefix + "*");
    connection.close();
    client.shutdown();
  }

  @Benchmark
  public int apicacheEvent() {
    return engine.invalidate("product.updated");
  }

  @Benchmark
  public void apicacheTag() {
    engine.invalidateTags(List.of("hot"));
  }

  /** What the replaced layer did: KEYS, then DEL of everything found. */
  @Benchmark
  public long seedKeysThenDel() {
    List<String> keys = connection.sync().keys(seedPrefix + "*");
    return keys.isEmpty() ? 0 : connection.sync().del(keys.toArray(String[]::new));
  }
}
