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
 * The hot path: {@code CacheEngine.handle} answering a HIT (and a 304) from the Caffeine store,
 * against the floor a user would write instead, the replaced layer's way: read the vary values from
 * the query, build {@code cache:<path>:<values>} and {@code getIfPresent} the bytes from a plain
 * Caffeine cache. Target: a hit at most 2x the floor.
 *
 * <p>Run: {@code ./apicache bench HitBenchmark}
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 8, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
@State(Scope.Benchmark)
public class HitBenchmark {
  private static final String POLICY = "/api/products";
  private CacheEngine engine;
  private CacheRequest request;
  private CacheRequest conditional;
  private Cache<String, byte[]> raw;
  private final Origin origin = r -> CacheResponse.builder(200).header("Content-Type", "application/json")
      .body(Bytes.copyOf(new byte[1024])).build();

  @Setup
  public void setUp() {
    engine = CacheEngine.builder(CachePolicies.builder()
        .add(CachePolicy.forRoute(POLICY).ttl(Duration.ofHours(1)).varyBy("category", "page").build()).build(),
        CaffeineStore.builder().build()).build();
    request = CacheRequest.builder("GET", "/api/products?category=books&page=2")
        .header("Accept", "application/json").header("User-Agent", "jmh").build();
    CacheResponse first = engine.handle(request, origin);
    conditional = request.toBuilder().header("If-None-Match", first.headers().first("ETag").orElseThrow()).build();
    raw = Caffeine.newBuilder().maximumSize(10_000).build();
    raw.put(floorKey(request), new byte[1024 + 200]);
  }

  @TearDown
  public void tearDown() {
    engine.close();
  }

  /** The replaced layer's key: {@code cache:} + path + {@code :} + the vary values, read from the query. */
  private static String floorKey(CacheRequest r) {
    String query = r.rawQuery();
    return "cache:" + r.path() + ":" + queryValue(query, "category") + ":" + queryValue(query, "page");
  }

  private static String queryValue(String query, String name) {
    int from = 0;
    while (from <= query.length()) {
      int end = query.indexOf('&', from);
      if (end < 0) {
        end = query.length();
      }
      if (query.startsWith(name, from) && from + name.length() < end && query.charAt(from + name.length()) == '=') {
        return query.substring(from + name.length() + 1, end);
      }
      from = end + 1;
    }
    return "";
  }

  /** apicache: match the policy, normalise, key, look up, check the fence, decode, build the response. */
  @Benchmark
  public CacheResponse engineHit() {
    return engine.handle(request, origin);
  }

  /** apicache answering a current client with 304 Not Modified. */
  @Benchmark
  public CacheResponse engineNotModified() {
    return engine.handle(conditional, origin);
  }

  /** The floor: the replaced layer's plain string key, read from the request, and a Caffeine lookup. */
  @Benchmark
  public byte[] rawCaffeineWithKey() {
    return raw.getIfPresent(floorKey(request));
  }
}
