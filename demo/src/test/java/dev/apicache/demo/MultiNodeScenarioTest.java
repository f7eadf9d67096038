package dev.apicache.demo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.apicache.store.redis.testing.RedisProcess;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The scenario over three {@code apicache serve} processes, one shared store and one embedded
 * PostgreSQL: replicas share entries and invalidations, no node serves data older than a write
 * completed on any node, and a node killed mid-run costs no failed request.
 */
class MultiNodeScenarioTest {
  private static RedisProcess redis;

  @BeforeAll
  static void startRedis() throws Exception {
    redis = RedisProcess.start();
  }

  @AfterAll
  static void stopRedis() {
    redis.close();
  }

  private static Scenario.Options options(DemoStore.Kind store, int seconds, Optional<Duration> kill) {
    return new Scenario.Options(Duration.ofSeconds(seconds), 6, Duration.ofMillis(250), 0.3, 200, store, redis.uri(),
        DemoApi.Framework.JAVALIN).onNodes(3, "embedded", kill);
  }

  @ParameterizedTest
  @EnumSource(value = DemoStore.Kind.class, names = {"REDIS", "TIERED", "HAZELCAST", "TIERED_HAZELCAST"})
  void aNodeKilledMidRun_costsNoFailedRequestAndNoStaleRead(DemoStore.Kind store) throws Exception {
    ByteArrayOutputStream printed = new ByteArrayOutputStream();
    Scenario.Result r = new Scenario(options(store, 8, Optional.of(Duration.ofSeconds(4))),
        new PrintStream(printed, true, StandardCharsets.UTF_8)).run();
    String progress = printed.toString(StandardCharsets.UTF_8);

    assertEquals(0, r.errors(), progress);
    assertEquals(0, r.staleReadsAfterWrite(), "no node served data older than a completed write: " + progress);
    assertEquals(3, r.nodes().size());
    for (Scenario.NodeResult n : r.nodes()) {
      assertTrue(n.requests() > 0, n.name() + " served: " + r.nodes());
    }
    assertTrue(r.nodes().get(2).status().startsWith("killed at"), r.nodes().get(2).status());
    assertEquals("up", r.nodes().get(0).status());
    assertTrue(progress.contains("node 3 killed at"), progress);
    assertTrue(progress.contains("nodes up 2/3"), "the progress shows the node gone:\n" + progress);
    assertTrue(r.writes() >= 16, "writes: " + r.writes());
    assertTrue(r.lag().writesProbed() >= r.writes() / 2, "the lag is measured after the writes: " + r.lag());
    assertTrue(r.hitRate() > 0.3, "the nodes share one store: hit rate " + r.hitRate());
  }

  /** Without a kill, every node's count is read at the end: the database's own count must match it. */
  @Test
  void theDatabaseCountsWhatTheNodesCount_andEveryNodeSeesEveryWrite() throws Exception {
    Scenario.Result r = new Scenario(options(DemoStore.Kind.TIERED, 5, Optional.empty()),
        new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8)).run();
    assertEquals(0, r.errors());
    assertEquals(0, r.staleReadsAfterWrite());
    // how much load a few seconds make depends on the machine; what must hold does not
    assertTrue(r.originCalls() > 0, "DB queries: " + r.originCalls());
    assertEquals(r.originCalls(), r.databaseCounted(), "counted by " + r.database());
    assertTrue(r.database().startsWith("embedded PostgreSQL"), r.database());
    assertTrue(r.writes() >= 5, "writes: " + r.writes());
    assertTrue(r.lag().writesProbed() >= r.writes() / 2, r.lag().toString());
    assertTrue(r.firstReads() < r.originCalls(), "first reads are counted once across nodes: " + r.firstReads());
    // a write drops the product and its 50 list pages; replicas that did not share entries would refill each three times
    assertTrue(r.refillsPerWrite() < 90, "the nodes refill from one shared store: " + r.refillsPerWrite() + " per write");
  }
}
