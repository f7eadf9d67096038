package dev.apicache.bench;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import dev.apicache.Bytes;
import dev.apicache.CacheEngine;
import dev.apicache.CachePolicies;
import dev.apicache.CachePolicy;
import dev.apicache.CacheRequest;
import dev.apicache.CacheResponse;
import dev.apicache.Origin;
import dev.apicache.store.caffeine.CaffeineStore;
import java.time.Duration;
import java.util.Arrays;
import java.util.Random;
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
 * A hit as real traffic sees it: 10,000 product URLs requested in a Zipf mix (exponent 1, as
 * popularity usually falls off), all of them cached, so that whatever the engine remembers per URL
 * (the admission of a raw target, an entry's rendered head) is measured at the hit rates real
 * traffic gives it rather than for one URL that never leaves the CPU's caches. The floor is the
 * replaced layer's lookup over the same mix: a plain string key built from the path and a Caffeine
 * {@code getIfPresent}. Target (issue 25): a hit at most 2x the floor.
 *
 * <p>Run: {@code ./apicache bench ZipfHitBenchmark}
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 8, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
@State(Scope.Benchmark)
public class ZipfHitBenchmark {
  private static final int URLS = 10_000;
  /** The mix, repeated: long enough that its order is not learnt, short enough to stay in memory. */
  private static final int MIX = 1 << 16;

  private CacheEngine engine;
  private Cache<String, byte[]> raw;
  private CacheRequest[] requests;
  private int[] mix;
  private int next;
  private final Origin origin = r -> CacheResponse.builder(200).header("Content-Type", "application/json")
      .body(Bytes.wrap(new byte[1024])).build();

  @Setup
  public void setUp() {
    engine = CacheEngine.builder(CachePolicies.builder()
        .add(CachePolicy.forRoute("/api/products/{id}").ttl(Duration.ofHours(1)).build()).build(),
        CaffeineStore.builder().build()).build();
    raw = Caffeine.newBuilder().maximumSize(2L * URLS).build();
    requests = new CacheRequest[URLS];
    for (int i = 0; i < URLS; i++) {
      requests[i] = CacheRequest.builder("GET", "/api/products/" + (i + 1)).header("Accept", "application/json")
          .header("User-Agent", "jmh").build();
      engine.handle(requests[i], origin);
      raw.put(floorKey(requests[i]), new byte[1024 + 200]);
    }
    mix = zipf(URLS, MIX, new Random(25));
  }

  @TearDown
  public void tearDown() {
    engine.close();
  }

  /** {@code count} draws of ranks {@code [0, n)} with probability proportional to {@code 1 / (rank + 1)}. */
  static int[] zipf(int n, int count, Random random) {
    double[] cumulative = new double[n];
    double sum = 0;
    for (int i = 0; i < n; i++) {
      sum += 1.0 / (i + 1);
      cumulative[i] = sum;
    }
    int[] out = new int[count];
    for (int i = 0; i < count; i++) {
      int at = Arrays.binarySearch(cumulative, random.nextDouble() * sum);
      out[i] = Math.min(n - 1, at < 0 ? -at - 1 : at);
    }
    return out;
  }

  private CacheRequest nextRequest() {
    int i = next;
    next = (i + 1) & (MIX - 1);
    return requests[mix[i]];
  }

  private static String floorKey(CacheRequest r) {
    return "cache:" + r.path();
  }

  /** apicache: admission, the store lookup, the fence, the rendered head and the response. */
  @Benchmark
  public CacheResponse engineHit() {
    return engine.handle(nextRequest(), origin);
  }

  /** The floor: the replaced layer's key from the path, and a Caffeine lookup. */
  @Benchmark
  public byte[] rawCaffeineWithKey() {
    return raw.getIfPresent(floorKey(nextRequest()));
  }
}
