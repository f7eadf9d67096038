package dev.apicache.demo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.apicache.PolicyConfigException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MainTest {
  @Test
  void badCommandLines_explainThemselves() {
    assertTrue(assertThrows(Main.UsageException.class, () -> Main.run(List.of())).getMessage().contains("serve, scenario or footprint"));
    assertTrue(assertThrows(Main.UsageException.class, () -> Main.run(List.of("serve", "--port", "x")))
        .getMessage().contains("--port must be a number"));
    assertTrue(assertThrows(Main.UsageException.class, () -> Main.run(List.of("serve", "--port", "70000")))
        .getMessage().contains("[0, 65535]"));
    assertTrue(assertThrows(Main.UsageException.class, () -> Main.run(List.of("scenario", "--duration")))
        .getMessage().contains("needs a value"));
    assertTrue(assertThrows(Main.UsageException.class, () -> Main.run(List.of("scenario", "--fast")))
        .getMessage().contains("unknown option"));
  }

  @Test
  void replicaOptions_nameTheSharedStoresKeys_andRefuseWhatMeansNothing() {
    Main.ServeOptions o = Main.parseServe(new ArrayDeque<>(List.of("--store", "redis", "--db",
        "jdbc:postgresql://127.0.0.1:5999/shop?user=app")), java.util.Map.of());
    assertEquals("jdbc:postgresql://127.0.0.1:5999/shop?user=app", o.store().db);
    assertEquals(Optional.empty(), o.replicas().keyPrefix(), "by default the prefix follows the database's data");
    assertEquals(Optional.of("shop:"), Main.parseServe(new ArrayDeque<>(List.of("--store", "tiered", "--key-prefix",
        "shop:")), java.util.Map.of()).replicas().keyPrefix());
    assertEquals(List.of("127.0.0.1:5801", "127.0.0.1:5802"), Main.parseServe(new ArrayDeque<>(List.of("--store",
        "hazelcast", "--hazelcast-port", "5801", "--hazelcast-members", "127.0.0.1:5801,127.0.0.1:5802")),
        java.util.Map.of()).replicas().hazelcastMembers());
    Main.ServeOptions tieredHazelcast = Main.parseServe(new ArrayDeque<>(List.of("--store", "tiered-hazelcast",
        "--hazelcast-port", "5801", "--hazelcast-members", "127.0.0.1:5801")), java.util.Map.of());
    assertEquals(DemoStore.Kind.TIERED_HAZELCAST, tieredHazelcast.store().kind);
    assertEquals("tiered-hazelcast", tieredHazelcast.store().kind.toString(), "spelt as it is given");
    for (List<String> args : List.of(List.of("--key-prefix", "x:"), List.of("--store", "redis", "--key-prefix", "x:",
        "--random-prefix"), List.of("--store", "redis", "--hazelcast-port", "5801"), List.of("--store", "tiered_hazelcast"),
        List.of("--store", "redis",
        "--key-prefix", ""), List.of("--ceiling", "--db", "h2"))) {
      assertThrows(Main.UsageException.class, () -> Main.parseServe(new ArrayDeque<>(args), java.util.Map.of()),
          args.toString());
    }
    Main.UsageException badDb = assertThrows(Main.UsageException.class, () -> DemoDatabase.open("mysql://x",
        System.out));
    assertTrue(badDb.getMessage().contains("--db must be"), badDb.getMessage());
  }

  @Test
  void scenarioNodes_needASharedStore_andAKillWithinTheRun() {
    for (List<String> args : List.of(List.of("scenario", "--nodes", "3"), List.of("scenario", "--store", "redis",
        "--kill-node-at", "5s"), List.of("scenario", "--nodes", "3", "--store", "redis", "--kill-node-at", "30s"),
        List.of("scenario", "--nodes", "3", "--store", "tiered", "--compare"), List.of("scenario", "--nodes", "0"))) {
      assertThrows(Main.UsageException.class, () -> Main.run(args), args.toString());
    }
  }

  @Test
  void serve_bindsLoopbackByDefault_andTakesHost() {
    assertEquals("127.0.0.1", Main.parseServe(new ArrayDeque<>()).host());
    assertEquals("0.0.0.0", Main.parseServe(new ArrayDeque<>(List.of("--host", "0.0.0.0"))).host());
  }

  @Test
  void serve_takesItsAdminTokenFromAFileOrTheEnvironment_andRefusesAShortOne(@org.junit.jupiter.api.io.TempDir
      java.nio.file.Path dir) throws Exception {
    assertTrue(Main.parseServe(new ArrayDeque<>(), java.util.Map.of()).adminToken().isEmpty());
    assertEquals("from-the-environment-01", Main.parseServe(new ArrayDeque<>(),
        java.util.Map.of(AdminToken.VARIABLE, "from-the-environment-01")).adminToken().orElseThrow());
    java.nio.file.Path file = java.nio.file.Files.writeString(dir.resolve("token"), "from-a-file-of-our-own\n");
    assertEquals("from-a-file-of-our-own", Main.parseServe(new ArrayDeque<>(List.of("--admin-token-file",
        file.toString())), java.util.Map.of(AdminToken.VARIABLE, "from-the-environment-01")).adminToken().orElseThrow());
    Main.UsageException shortOne = assertThrows(Main.UsageException.class, () -> Main.parseServe(new ArrayDeque<>(),
        java.util.Map.of(AdminToken.VARIABLE, "short")));
    assertTrue(shortOne.getMessage().contains("at least 16"), shortOne.getMessage());
    assertThrows(Main.UsageException.class, () -> Main.parseServe(new ArrayDeque<>(List.of("--no-cache",
        "--admin-token-file", file.toString())), java.util.Map.of()));
    assertTrue(AdminToken.random().length() >= 16);
  }

  @Test
  void serve_runsTheReplacedLayerAlone_overRedisOnly() {
    assertEquals(DemoApi.Layer.SEED, Main.parseServe(new ArrayDeque<>(List.of("--replaced-layer", "--redis-url",
        "redis://127.0.0.1:1"))).layer());
    for (List<String> args : List.of(List.of("--replaced-layer", "--store", "tiered"),
        List.of("--replaced-layer", "--ceiling"), List.of("--replaced-layer", "--framework", "helidon"))) {
      assertThrows(Main.UsageException.class, () -> Main.parseServe(new ArrayDeque<>(args)), args.toString());
    }
  }

  @Test
  void serve_refusesBaselinesWithCacheOptions() {
    for (List<String> args : List.of(List.of("--ceiling", "--no-cache"), List.of("--ceiling", "--store", "redis"),
        List.of("--no-cache", "--store", "tiered"), List.of("--no-cache", "--redis-url", "redis://x:1"),
        List.of("--ceiling", "--config", "p.yaml"))) {
      Main.UsageException e = assertThrows(Main.UsageException.class, () -> Main.parseServe(new ArrayDeque<>(args)));
      assertTrue(e.getMessage().contains("--ceiling") || e.getMessage().contains("--no-cache"), e.getMessage());
    }
    assertEquals(DemoApi.Framework.HELIDON,
        Main.parseServe(new ArrayDeque<>(List.of("--no-cache", "--framework", "helidon"))).store().framework);
  }

  @Test
  void baselines_runOnTheFrameworkAskedFor() throws Exception {
    for (DemoApi.Framework f : DemoApi.Framework.values()) {
      try (DemoApi api = DemoApi.startWithout(DemoApi.Layer.NONE, f, "127.0.0.1", 0, new MemoryCatalog(10), "unused")) {
        assertEquals(f, api.framework());
        java.net.http.HttpResponse<String> r = java.net.http.HttpClient.newHttpClient().send(java.net.http.HttpRequest
            .newBuilder(java.net.URI.create("http://127.0.0.1:" + api.port() + "/api/products/1")).build(),
            java.net.http.HttpResponse.BodyHandlers.ofString());
        assertEquals(200, r.statusCode());
        assertTrue(r.headers().firstValue("X-Cache").isEmpty(), f + " runs without a cache layer");
      }
      DemoServers.Server ceiling = DemoServers.ceiling(f, "127.0.0.1", 0);
      try {
        assertEquals(f, ceiling.framework());
      } finally {
        ceiling.close();
      }
    }
  }

  @Test
  void everyCeiling_answersTheBytesTheDemoAnswersForTheMeasuredUrl() throws Exception {
    String target = "/api/products?category=books&page=1";
    java.net.http.HttpClient http = java.net.http.HttpClient.newHttpClient();
    try (SqlFixture database = SqlFixture.start(1000);
        DemoApi api = DemoApi.start("127.0.0.1", 0, DemoApi.policies(java.util.Optional.empty()), database.catalog)) {
      java.net.http.HttpRequest get = java.net.http.HttpRequest.newBuilder(java.net.URI.create("http://127.0.0.1:"
          + api.port() + target)).build();
      http.send(get, java.net.http.HttpResponse.BodyHandlers.ofString());
      java.net.http.HttpResponse<String> hit = http.send(get, java.net.http.HttpResponse.BodyHandlers.ofString());
      String demo = hit.body();
      assertTrue(demo.length() > 1000, "the 1.3 KB product list: " + demo.length());
      assertEquals("HIT", hit.headers().firstValue("X-Cache").orElseThrow());
      for (DemoApi.Framework f : DemoApi.Framework.values()) {
        DemoServers.Server ceiling = DemoServers.ceiling(f, "127.0.0.1", 0);
        try {
          java.net.http.HttpResponse<String> answer = http.send(java.net.http.HttpRequest.newBuilder(
              java.net.URI.create("http://127.0.0.1:" + ceiling.port() + target)).build(),
              java.net.http.HttpResponse.BodyHandlers.ofString());
          assertEquals(demo, answer.body(), f.toString());
          // the same fields as a hit, so that a ceiling leaves out the cache's work and nothing else
          assertEquals(fieldNames(hit), fieldNames(answer), f.toString());
        } finally {
          ceiling.close();
        }
      }
    }
  }

  /** The fields a cache layer chooses, without those every server adds on its own. */
  private static java.util.Set<String> fieldNames(java.net.http.HttpResponse<String> r) {
    java.util.Set<String> names = new java.util.TreeSet<>(r.headers().map().keySet());
    names.removeAll(java.util.Set.of("date", "content-length", "server", "connection", "keep-alive"));
    return names;
  }

  @Test
  void helpSucceeds() throws Exception {
    assertEquals(0, Main.run(List.of("--help")));
  }

  /** Every command answers --help (and -h) with its own usage, whatever else is on the line. */
  @Test
  void everyCommand_answersHelpWithItsOwnUsage() throws Exception {
    java.io.PrintStream out = System.out;
    for (String command : new String[] {"serve", "scenario", "footprint"}) {
      for (String flag : new String[] {"--help", "-h"}) {
        java.io.ByteArrayOutputStream printed = new java.io.ByteArrayOutputStream();
        System.setOut(new java.io.PrintStream(printed, true, java.nio.charset.StandardCharsets.UTF_8));
        try {
          assertEquals(0, Main.run(List.of(command, "--port", "1", flag)), command + " " + flag);
        } finally {
          System.setOut(out);
        }
        String usage = printed.toString(java.nio.charset.StandardCharsets.UTF_8);
        assertTrue(usage.startsWith("usage:\n  apicache " + command + " "), command + " " + flag + ": " + usage);
      }
    }
  }

  @Test
  void brokenPolicyFile_isRefusedWithItsName(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("broken.yaml");
    Files.writeString(file, "policies:\n  - path: /api/x\n    ttl: soon\n");
    PolicyConfigException e = assertThrows(PolicyConfigException.class, () -> DemoApi.policies(Optional.of(file)));
    assertTrue(e.getMessage().contains("broken.yaml") && e.getMessage().contains("soon"), e.getMessage());
  }
}
