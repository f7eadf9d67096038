package dev.apicache.bench;

import dev.apicache.Bytes;
import dev.apicache.CacheEngine;
import dev.apicache.CachePolicies;
import dev.apicache.CachePolicy;
import dev.apicache.CacheRequest;
import dev.apicache.CacheResponse;
import dev.apicache.Origin;
import dev.apicache.store.caffeine.CaffeineStore;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The MISS path with an origin that returns a precomputed 1 KiB body: fence read, origin call, ETag
 * hashing, encoding and storing, each invocation on a key never seen before.
 *
 * <p>Run: {@code ./apicache bench MissBenchmark}
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
@State(Scope.Benchmark)
public class MissBenchmark {
  private CacheEngine engine;
  private long next;
  private final CacheResponse body = CacheResponse.builder(200).header("Content-Type", "application/json")
      .body(Bytes.copyOf(new byte[1024])).build();
  private final Origin origin = r -> body;

  @Setup
  public void setUp() {
    engine = CacheEngine.builder(CachePolicies.builder()
        .add(CachePolicy.forRoute("/api/products/{id}").ttl(Duration.ofHours(1)).build()).build(),
        CaffeineStore.builder().maximumBytes(64L << 20).build()).build();
  }

  @TearDown
  public void tearDown() {
    engine.close();
  }

  @Benchmark
  public CacheResponse engineMiss() {
    return engine.handle(CacheRequest.get("/api/products/" + next++), origin);
  }
}
