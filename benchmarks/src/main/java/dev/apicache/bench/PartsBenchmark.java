package dev.apicache.bench;

import dev.apicache.Admission;
import dev.apicache.Bytes;
import dev.apicache.CacheEngine;
import dev.apicache.CachePolicies;
import dev.apicache.CachePolicy;
import dev.apicache.CacheRequest;
import dev.apicache.http.EntityTag;
import dev.apicache.store.caffeine.CaffeineStore;
import java.time.Duration;
import java.util.Random;
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
import org.openjdk.jmh.annotations.Warmup;

/**
 * The parts of a request's work that can be measured alone: admission (matching the policy,
 * normalising the target and building the key from a path and two vary values), and ETag hashing at
 * 1 KiB, 64 KiB and 1 MiB. The freshness state machine is three comparisons inside every hit;
 * {@link HitBenchmark} measures it there.
 *
 * <p>Run: {@code ./apicache bench PartsBenchmark}
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
@State(Scope.Benchmark)
public class PartsBenchmark {
  /** A random body of each size. */
  @State(Scope.Benchmark)
  public static class Body {
    @Param({"1024", "65536", "1048576"})
    public int bodySize;

    Bytes bytes;

    @Setup
    public void setUp() {
      byte[] b = new byte[bodySize];
      new Random(1).nextBytes(b);
      bytes = Bytes.copyOf(b);
    }
  }

  private final CacheEngine engine = CacheEngine.builder(CachePolicies.builder()
      .add(CachePolicy.forRoute("/api/products").ttl(Duration.ofHours(1)).varyBy("category", "page").build()).build(),
      CaffeineStore.builder().build()).build();
  private final CacheRequest request = CacheRequest.get("/api/products?category=books&page=2");

  /** A request admitted: its policy matched, its target normalised and its key built (SHA-256 of the injective encoding). */
  @Benchmark
  public Admission admission() {
    return engine.admit(request);
  }

  @TearDown
  public void tearDown() {
    engine.close();
  }

  /** The strong ETag of a body without one (SHA-256, 128 bits kept). */
  @Benchmark
  public EntityTag etagHashing(Body body) {
    return EntityTag.ofBody(body.bytes);
  }

}
