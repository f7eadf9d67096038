package dev.apicache.bench;

import com.hazelcast.config.Config;
import com.hazelcast.core.Hazelcast;
import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.map.IMap;
import dev.apicache.Bytes;
import dev.apicache.CacheEngine;
import dev.apicache.CachePolicies;
import dev.apicache.CachePolicy;
import dev.apicache.CacheRequest;
import dev.apicache.CacheResponse;
import dev.apicache.Origin;
import dev.apicache.http.HeaderNames;
import dev.apicache.spi.Store;
import dev.apicache.store.caffeine.TieredStore;
import dev.apicache.store.hazelcast.HazelcastInvalidationBus;
import dev.apicache.store.hazelcast.HazelcastStore;
import dev.apicache.store.redis.RedisInvalidationBus;
import dev.apicache.store.redis.RedisStore;
import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.codec.ByteArrayCodec;
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
 * A HIT through the engine on each shared store, against the raw read of the same bytes from the same
 * backend on a connection set up the same way: {@code redis} vs {@code rawRedisGet} (Lettuce GET),
 * {@code hazelcast} vs {@code rawImapGet} (embedded member), and {@code tiered} and
 * {@code tieredHazelcast} (a near hit over Redis or Hazelcast). Four threads. Targets: Redis at 0.8x the raw throughput or better, one command per hit.
 *
 * <p>Needs Redis on 127.0.0.1:6379. Run: {@code ./apicache bench StoreHitBenchmark}
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
@Threads(4)
@State(Scope.Benchmark)
public class StoreHitBenchmark {
  @Param({"redis", "rawRedisGet", "tiered", "hazelcast", "tieredHazelcast", "rawImapGet"})
  public String path;

  private static final String REDIS = "redis://127.0.0.1:6379";
  private static final byte[] BODY = new byte[1024];
  private CacheEngine engine;
  private CacheRequest request;
  private final Origin origin = r -> CacheResponse.builder(200).header("Content-Type", "application/json")
      .body(Bytes.copyOf(BODY)).build();
  private RedisClient rawClient;
  private StatefulRedisConnection<byte[], byte[]> rawConnection;
  private byte[] rawKey;
  private HazelcastInstance member;
  private IMap<String, byte[]> rawMap;

  @Setup
  public void setUp() throws Exception {
    request = CacheRequest.get("/api/products/42");
    String prefix = "bench:" + UUID.randomUUID() + ":";
    switch (path) {
      case "redis":
        engine = engine(ready(RedisStore.builder(REDIS).keyPrefix(prefix).build()));
        break;
      case "tiered":
        RedisStore far = ready(RedisStore.builder(REDIS).keyPrefix(prefix).build());
        RedisInvalidationBus bus = RedisInvalidationBus.create(RedisClient.create(REDIS), prefix + "bus");
        TieredStore tiered = TieredStore.builder(far, bus).nearMaxAge(Duration.ofMinutes(10)).build();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!tiered.nearInUse() && System.nanoTime() < deadline) {
          Thread.sleep(10); // set-up only: wait for the bus to subscribe
        }
        engine = engine(tiered);
        break;
      case "rawRedisGet":
        rawClient = RedisClient.create(REDIS);
        rawConnection = rawClient.connect(ByteArrayCodec.INSTANCE);
        rawKey = (prefix + "raw").getBytes(StandardCharsets.UTF_8);
        rawConnection.sync().set(rawKey, new byte[BODY.length + 200]);
        break;
      case "hazelcast":
        member = member();
        engine = engine(HazelcastStore.create(member));
        break;
      case "tieredHazelcast":
        member = member();
        TieredStore overHazelcast = TieredStore.builder(HazelcastStore.create(member),
            HazelcastInvalidationBus.create(member, "bench-bus")).nearMaxAge(Duration.ofMinutes(10)).build();
        long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!overHazelcast.nearInUse() && System.nanoTime() < until) {
          Thread.sleep(10); // set-up only: wait for the bus to subscribe
        }
        engine = engine(overHazelcast);
        break;
      case "rawImapGet":
        member = member();
        rawMap = member.getMap("raw");
        rawMap.set("raw", new byte[BODY.length + 200]);
        break;
      default:
        throw new IllegalArgumentException(path);
    }
    if (engine != null) {
      engine.handle(request, origin);
      String x = engine.handle(request, origin).headers().first(HeaderNames.X_CACHE).orElse("");
      if (!x.equals("HIT")) {
        throw new IllegalStateException(path + " does not hit: " + x);
      }
    }
  }

  private static RedisStore ready(RedisStore store) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (!store.isConnected() && System.nanoTime() < deadline) {
      Thread.sleep(10); // set-up only: wait for the connection
    }
    return store;
  }

  private static CacheEngine engine(Store store) {
    return CacheEngine.builder(CachePolicies.builder()
        .add(CachePolicy.forRoute("/api/products/{id}").ttl(Duration.ofHours(1)).build()).build(), store).build();
  }

  private static HazelcastInstance member() {
    Config config = new Config();
    config.setClusterName("apicache-bench-" + UUID.randomUUID());
    config.setProperty("hazelcast.phone.home.enabled", "false");
    config.setProperty("hazelcast.logging.type", "none");
    config.getJetConfig().setEnabled(false);
    config.getNetworkConfig().getJoin().getMulticastConfig().setEnabled(false);
    config.getNetworkConfig().getJoin().getAutoDetectionConfig().setEnabled(false);
    config.getNetworkConfig().getInterfaces().setEnabled(true).addInterface("127.0.0.1");
    return Hazelcast.newHazelcastInstance(config);
  }

  @TearDown
  public void tearDown() {
    if (engine != null) {
      engine.close();
    }
    if (rawConnection != null) {
      rawConnection.close();
      rawClient.shutdown();
    }
    if (member != null) {
      member.shutdown();
    }
  }

  @Benchmark
  public Object hit() {
    if (engine != null) {
      return engine.handle(request, origin);
    }
    if (rawConnection != null) {
      return rawConnection.sync().get(rawKey);
    }
    return rawMap.get("raw");
  }
}
