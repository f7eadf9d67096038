package dev.apicache.bench;

import dev.apicache.Bytes;
import dev.apicache.CacheKey;
import dev.apicache.EntityTag;
import dev.apicache.Freshness;
import java.time.Duration;
import java.util.List;
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
import org.openjdk.jmh.annotations.Warmup;

/**
 * The parts of a request's work, one at a time: key building, ETag hashing at 1 KiB, 64 KiB and
 * 1 MiB, and the freshness state machine.
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

  private final Duration age = Duration.ofSeconds(75);
  private final Duration ttl = Duration.ofSeconds(60);
  private final Duration swr = Duration.ofSeconds(30);
  private final Duration sie = Duration.ofMinutes(10);

  /** A key of a policy, a path and two vary values (SHA-256 of the injective encoding). */
  @Benchmark
  public CacheKey keyBuilding() {
    return CacheKey.builder("/api/products", "GET", "/api/products").values(List.of("books")).values(List.of("2"))
        .build();
  }

  /** The strong ETag of a body without one (SHA-256, 128 bits kept). */
  @Benchmark
  public EntityTag etagHashing(Body body) {
    return EntityTag.ofBody(body.bytes);
  }

  @Benchmark
  public Freshness.State classify() {
    return Freshness.classify(age, ttl, swr, sie);
  }
}
