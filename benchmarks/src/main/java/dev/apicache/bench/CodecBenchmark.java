package dev.apicache.bench;

import dev.apicache.Bytes;
import dev.apicache.CacheEngine;
import dev.apicache.CachePolicies;
import dev.apicache.CachePolicy;
import dev.apicache.CacheRequest;
import dev.apicache.CacheResponse;
import dev.apicache.Origin;
import dev.apicache.spi.Counter;
import dev.apicache.spi.EntryKey;
import dev.apicache.spi.Fence;
import dev.apicache.spi.Store;
import dev.apicache.store.caffeine.CaffeineStore;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
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
 * What the entry codec costs a hit from a shared store, measured through the engine: the same hit
 * from the Caffeine store, which hands back the array it holds (so the engine decodes a hot entry
 * once), and through a store that hands back a fresh copy on every read, as a remote store's client
 * does (so every hit decodes). The difference is the copy and the decoding; the network is left out.
 * Encoding happens on fills, which {@link MissBenchmark} measures.
 *
 * <p>Run: {@code ./apicache bench CodecBenchmark}
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 8, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
@State(Scope.Benchmark)
public class CodecBenchmark {
  @Param({"1024", "65536"})
  public int bodySize;

  private CacheEngine decodedOnce;
  private CacheEngine decodedPerHit;
  private Origin origin;
  private final CacheRequest request = CacheRequest.get("/api/products/42");

  @Setup
  public void setUp() {
    byte[] body = new byte[bodySize];
    new Random(1).nextBytes(body);
    origin = r -> CacheResponse.builder(200).header("Content-Type", "application/json").body(Bytes.copyOf(body))
        .build();
    decodedOnce = engine(CaffeineStore.builder().build());
    decodedPerHit = engine(new FreshCopies(CaffeineStore.builder().build()));
    decodedOnce.handle(request, origin);
    decodedPerHit.handle(request, origin);
  }

  private static CacheEngine engine(Store store) {
    return CacheEngine.builder(CachePolicies.builder()
        .add(CachePolicy.forRoute("/api/products/{id}").ttl(Duration.ofHours(1)).build()).build(), store).build();
  }

  @TearDown
  public void tearDown() {
    decodedOnce.close();
    decodedPerHit.close();
  }

  /** A hit whose entry the engine decoded once: the in-process store's path. */
  @Benchmark
  public CacheResponse hitDecodedOnce() {
    return decodedOnce.handle(request, origin);
  }

  /** A hit that copies and decodes the stored entry, as every hit from a remote store does. */
  @Benchmark
  public CacheResponse hitDecodedEachTime() {
    return decodedPerHit.handle(request, origin);
  }

  /** A store that returns a new array on every read, like a network client. */
  private record FreshCopies(Store delegate) implements Store {
    @Override
    public Optional<byte[]> get(EntryKey key) {
      return delegate.get(key).map(byte[]::clone);
    }

    @Override
    public Fence fence(List<Counter> counters) {
      return delegate.fence(counters);
    }

    @Override
    public boolean put(EntryKey key, byte[] entry, Duration timeToLive, Fence fence) {
      return delegate.put(key, entry, timeToLive, fence);
    }

    @Override
    public void bump(Collection<Counter> counters) {
      delegate.bump(counters);
    }

    @Override
    public boolean callsAreBounded() {
      return true;
    }

    @Override
    public void close() {
      delegate.close();
    }
  }
}
