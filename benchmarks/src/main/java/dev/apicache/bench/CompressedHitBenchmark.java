package dev.apicache.bench;

import dev.apicache.Bytes;
import dev.apicache.CacheEngine;
import dev.apicache.CachePolicies;
import dev.apicache.CachePolicy;
import dev.apicache.CacheRequest;
import dev.apicache.CacheResponse;
import dev.apicache.Origin;
import dev.apicache.http.HeaderNames;
import dev.apicache.spi.Store;
import dev.apicache.store.caffeine.CaffeineStore;
import dev.apicache.store.redis.RedisStore;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Hits of one of the demo's product pages (1.4 KB of JSON) stored as it came ({@code plain}) or
 * compressed, fetched by a client that accepts gzip ({@code gzip-client}: the stored bytes) or one
 * that does not ({@code identity-client}: decoded per hit), on Caffeine and on Redis. Four threads.
 *
 * <p>Needs Redis on 127.0.0.1:6379 for {@code store=redis}. Run: {@code ./apicache bench CompressedHitBenchmark}
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 8, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
@Threads(4)
@State(Scope.Benchmark)
public class CompressedHitBenchmark {
  @Param({"caffeine", "redis"})
  public String store;

  @Param({"plain", "gzip-client", "identity-client"})
  public String mode;

  private static final String REDIS = "redis://127.0.0.1:6379";
  /** A page as the demo serves it: 20 products of the catalogue. */
  private static final byte[] PAGE = productPage();

  private CacheEngine engine;
  private CacheRequest request;
  private final Origin origin = r -> CacheResponse.builder(200).header("Content-Type", "application/json")
      .body(Bytes.copyOf(PAGE)).build();

  private static byte[] productPage() {
    StringBuilder b = new StringBuilder("[");
    for (int i = 1; i <= 20; i++) {
      b.append(i > 1 ? "," : "").append("{\"id\":").append(i).append(",\"name\":\"Product ").append(i)
          .append("\",\"category\":\"books\",\"price\":").append(1 + (i * 37 % 9800) / 100.0).append('}');
    }
    return b.append(']').toString().getBytes(StandardCharsets.UTF_8);
  }

  @Setup
  public void setUp() throws Exception {
    Store s;
    if (store.equals("redis")) {
      RedisStore redis = RedisStore.builder(REDIS).keyPrefix("bench:" + UUID.randomUUID() + ":").build();
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
      while (!redis.isConnected() && System.nanoTime() < deadline) {
        Thread.sleep(10); // set-up only: wait for the connection
      }
      s = redis;
    } else {
      s = CaffeineStore.builder().build();
    }
    CachePolicy.Builder policy = CachePolicy.forRoute("/api/products").ttl(Duration.ofHours(1));
    engine = CacheEngine.builder(CachePolicies.builder()
        .add((mode.equals("plain") ? policy : policy.compress()).build()).build(), s).build();
    CacheRequest.Builder r = CacheRequest.builder("GET", "/api/products");
    if (!mode.equals("identity-client")) {
      r.header("Accept-Encoding", "gzip, deflate, br");
    }
    request = r.build();
    engine.handle(request, origin);
    CacheResponse hit = engine.handle(request, origin);
    if (!"HIT".equals(hit.headers().first(HeaderNames.X_CACHE).orElse(""))) {
      throw new IllegalStateException(store + "/" + mode + " does not hit");
    }
    boolean gzip = hit.headers().first("Content-Encoding").isPresent();
    if (gzip != mode.equals("gzip-client")) {
      throw new IllegalStateException(store + "/" + mode + " sent Content-Encoding " + gzip);
    }
  }

  @TearDown
  public void tearDown() {
    engine.close();
  }

  @Benchmark
  public CacheResponse hit() {
    return engine.handle(request, origin);
  }
}
