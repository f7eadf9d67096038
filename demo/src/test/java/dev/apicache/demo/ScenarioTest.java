package dev.apicache.demo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.apicache.store.redis.testing.RedisProcess;
import io.lettuce.core.RedisClient;
import io.lettuce.core.ScanArgs;
import io.lettuce.core.api.StatefulRedisConnection;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.api.io.TempDir;

/**
 * A short scenario run: writes every few hundred milliseconds, and no read may see pre-write data. The
 * runs use a redis-server of their own: the replaced layer's {@code KEYS} scans whatever a shared Redis
 * holds, and another user's millions of keys would stall it into a run with next to no traffic.
 */
class ScenarioTest {
  private static RedisProcess redis;

  @BeforeAll
  static void startRedis() throws Exception {
    redis = RedisProcess.start();
  }

  @AfterAll
  static void stopRedis() {
    redis.close();
  }

  @ParameterizedTest
  @EnumSource(DemoStore.Kind.class)
  void shortRun_hasNoStaleReadsAfterWritesAndSparesTheDatabase(DemoStore.Kind store, @TempDir Path dir)
      throws Exception {
    ByteArrayOutputStream progress = new ByteArrayOutputStream();
    Scenario scenario = new Scenario(new Scenario.Options(Duration.ofSeconds(4), 4, Duration.ofMillis(250), 0.3, 200,
        store, redis.uri(), DemoApi.Framework.JAVALIN), new PrintStream(progress, true, StandardCharsets.UTF_8));
    Scenario.Result r = scenario.run();
    assertTrue(r.writes() >= 8, "writes: " + r.writes());
    assertTrue(r.requests() > 200, "requests: " + r.requests());
    assertEquals(0, r.staleReadsAfterWrite());
    assertEquals(0, r.errors());
    assertTrue(r.originCalls() < r.requests() / 2, r.originCalls() + " DB queries for " + r.requests() + " requests");
    assertTrue(r.warmOriginCalls() < r.originCalls(), "first reads are not refills: " + r);
    assertTrue(r.hitRate() > 0.5, "hit rate " + r.hitRate());
    assertTrue(r.notModified() > 0);
    String printed = progress.toString(StandardCharsets.UTF_8);
    assertTrue(printed.contains("req/s"), "shows progress while it runs");
    assertTrue(printed.contains("    4 s "), "prints its last second too:\n" + printed);
    assertEquals(4, scenario.samples().size(), "charts every second, the last included");
    assertTrue(r.refillsPerWrite() > 0 && r.warmHitRate() > 0.5, "machine-independent figures: " + r);

    assertSummaryJson(r, dir, store);
  }

  @ParameterizedTest
  @EnumSource(DemoApi.Framework.class)
  void shortRunOnEachFramework_hasNoStaleReadsAfterWrites(DemoApi.Framework framework) throws Exception {
    Scenario.Result r = new Scenario(new Scenario.Options(Duration.ofSeconds(3), 4, Duration.ofMillis(250), 0.3, 200,
        DemoStore.Kind.CAFFEINE, redis.uri(), framework),
        new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8)).run();
    assertTrue(r.writes() >= 6, "writes: " + r.writes());
    assertEquals(0, r.staleReadsAfterWrite());
    assertEquals(0, r.errors());
    assertTrue(r.hitRate() > 0.5, framework + " hit rate " + r.hitRate());
  }

  /** A warm-up runs the same load uncounted; writes after it still beat every earlier one, so no read looks stale. */
  @Test
  void aWarmUp_isNotCounted_andLeavesTheCheckerSound() throws Exception {
    ByteArrayOutputStream progress = new ByteArrayOutputStream();
    Scenario.Result r = new Scenario(new Scenario.Options(Duration.ofSeconds(3), 4, Duration.ofMillis(200), 0.3, 200,
        DemoStore.Kind.CAFFEINE, redis.uri(), DemoApi.Framework.JAVALIN).afterWarmUp(Duration.ofSeconds(2)),
        new PrintStream(progress, true, StandardCharsets.UTF_8)).run();
    String printed = progress.toString(StandardCharsets.UTF_8);
    assertEquals(0, r.staleReadsAfterWrite(), printed);
    assertEquals(0, r.errors(), printed);
    assertTrue(printed.contains("(warm-up)") && printed.contains("warm: counting from here"), printed);
    assertTrue(r.writes() >= 10 && r.writes() <= 16, "only the counted phase's writes: " + r.writes());
    assertTrue(r.wholeRunQueries() > r.originCalls(), "the database comparison covers the warm-up too: " + r);
    assertEquals(r.wholeRunQueries(), r.databaseCounted());
  }

  /** The checker itself can fail: the replaced layer, run through it, is caught serving stale and mixed data. */
  @Test
  void replacedLayer_isCaughtServingStaleAndCrossTenantData() throws Exception {
    Scenario.Options options = new Scenario.Options(Duration.ofSeconds(4), 4, Duration.ofMillis(250), 0.3, 200,
        DemoStore.Kind.CAFFEINE, redis.uri(), DemoApi.Framework.JAVALIN).with(DemoApi.Layer.SEED,
        DemoStore.Kind.CAFFEINE);
    Scenario.Result r = new Scenario(options, new PrintStream(new ByteArrayOutputStream(), true,
        StandardCharsets.UTF_8)).run();
    assertEquals(0, r.errors(), r.toString());
    assertTrue(r.writes() >= 8, r.toString());
    assertTrue(r.staleReadsAfterWrite() > 0, r.toString());
    assertTrue(r.crossTenantReads() > 0, r.toString());
    assertTrue(r.redisCommandsPerRequest().orElseThrow() > 1.0, "Redis commands per request");
    RedisClient client = RedisClient.create(redis.uri());
    try (StatefulRedisConnection<String, String> c = client.connect()) {
      assertEquals(List.of(), c.sync().scan(ScanArgs.Builder.matches("seed:*").limit(100_000)).getKeys(),
          "the replaced layer's run leaves no keys behind");
    } finally {
      client.shutdown();
    }
  }

  private static void assertSummaryJson(Scenario.Result r, Path dir, DemoStore.Kind store) throws Exception {
    Path json = dir.resolve("summary.json");
    Scenario.writeJson(r, json);
    JsonNode node = DemoApi.JSON.readTree(json.toFile());
    for (String key : new String[] {"requests", "originCalls", "warmOriginCalls", "hitRate", "notModified",
        "staleReadsAfterWrite", "p50Micros", "p99Micros"}) {
      assertTrue(node.has(key), key);
    }
    assertEquals(r.requests(), node.get("requests").asLong());
    if (store == DemoStore.Kind.REDIS || store == DemoStore.Kind.TIERED) {
      assertTrue(node.has("redisCommandsPerRequest"), "reports Redis commands per request");
    }
  }
}
