package dev.apicache.proxy.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Settings from flags, the environment and a file: precedence, and one clear line for each mistake. */
class SettingsTest {
  @TempDir
  Path dir;

  @Test
  void aFlagWinsOverTheEnvironment_whichWinsOverTheFile() throws Exception {
    Path file = Files.writeString(dir.resolve("proxy.properties"),
        "# the team's settings\nupstream = http://127.0.0.1:3000\nport = 9000\ncache-size = 64MiB\ntimeout = 5s\n");
    Settings s = Settings.parse(List.of("--port", "9002", "--settings", file.toString()),
        Map.of("APICACHE_PORT", "9001", "APICACHE_CACHE_SIZE", "1GiB"));
    assertEquals(9002, s.port());
    assertEquals(1L << 30, s.cacheBytes());
    assertEquals(Duration.ofSeconds(5), s.timeout());
    assertEquals("http://127.0.0.1:3000", s.upstream().toString());
    assertEquals(Settings.StoreKind.CAFFEINE, s.store());
    assertFalse(s.honourClientCacheControl(), "a shared cache ignores clients' directives unless told");
  }

  @Test
  void theDefaults_areTheDocumentedOnes() {
    Settings s = Settings.parse(List.of("--upstream=http://127.0.0.1:3000"), Map.of());
    assertEquals("127.0.0.1", s.host());
    assertEquals(8080, s.port());
    assertEquals(9901, s.managementPort());
    assertEquals(256L << 20, s.cacheBytes());
    assertEquals(Duration.ofSeconds(20), s.drainTimeout());
    assertEquals(AccessLog.Format.PLAIN, s.accessLog());
    assertTrue(s.xCache() && s.cacheStatus());
    assertFalse(Settings.parse(List.of("--upstream", "http://h:1", "--no-x-cache"), Map.of()).xCache());
  }

  @Test
  void mistakes_getOneLineEach_namingWhatWasMeant() throws Exception {
    Path file = Files.writeString(dir.resolve("bad.properties"), "upstream = http://h:1\ntimeuot = 5s\n");
    String[][] cases = {
        {"--upstrem", "http://h:1"}, {"did you mean upstream"},
        {"--upstream", "http://h:1", "--cache-size", "lots"}, {"cache-size must be a size"},
        {"--upstream", "http://h:1", "--timeout", "5"}, {"timeout must be a duration"},
        {"--upstream", "http://h:1", "--store", "memcached"}, {"store must be caffeine"},
        {"--upstream", "ftp://h:1"}, {"must start with http://"},
        {"--port", "80"}, {"no upstream"},
        {"--settings", file.toString()}, {"'timeuot' in " + file, "did you mean timeout"},
        {"--upstream", "http://h:1", "--port", "70000"}, {"port must be in [0, 65535]"},
    };
    for (int i = 0; i < cases.length; i += 2) {
      String[] args = cases[i];
      Settings.SettingsException e = assertThrows(Settings.SettingsException.class,
          () -> Settings.parse(List.of(args), Map.of()), String.join(" ", args));
      for (String expected : cases[i + 1]) {
        assertTrue(e.getMessage().contains(expected), e.getMessage());
      }
      assertFalse(e.getMessage().contains("\n"), e.getMessage());
    }
    Settings.SettingsException env = assertThrows(Settings.SettingsException.class,
        () -> Settings.parse(List.of("--upstream", "http://h:1"), Map.of("APICACHE_DRAIN_TIMOUT", "5s")));
    assertTrue(env.getMessage().contains("APICACHE_DRAIN_TIMOUT") && env.getMessage().contains("drain-timeout"),
        env.getMessage());
  }

  @Test
  void theHelp_listsEverySetting() {
    String usage = ProxyMain.usage();
    for (String name : Settings.NAMES.keySet()) {
      assertTrue(usage.contains("--" + name), name);
    }
  }
}
