package dev.apicache.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.IOException;
import java.lang.module.Configuration;
import java.lang.module.FindException;
import java.lang.module.ModuleDescriptor;
import java.lang.module.ModuleFinder;
import java.lang.module.ModuleReference;
import java.lang.module.ResolvedModule;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import javax.tools.ToolProvider;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * apicache's jars as named modules, as an application on the module path meets them: every module's
 * declaration resolves against the libraries it is published with, each exports the packages of its
 * audience and nothing else, and an application module can build an engine and get a hit but cannot
 * compile against a package that is not exported.
 */
class ModulePathTest {
  /** What each module exports to everyone; anything else is theirs alone. */
  private static final Map<String, Set<String>> EXPORTS = Map.of(
      "dev.apicache.core", Set.of("dev.apicache", "dev.apicache.http", "dev.apicache.adapter", "dev.apicache.spi"),
      "dev.apicache.store.caffeine", Set.of("dev.apicache.store.caffeine"),
      "dev.apicache.store.redis", Set.of("dev.apicache.store.redis"),
      "dev.apicache.store.hazelcast", Set.of("dev.apicache.store.hazelcast"),
      "dev.apicache.adapter.servlet", Set.of("dev.apicache.adapter.servlet"),
      "dev.apicache.adapter.javalin", Set.of("dev.apicache.adapter.javalin"),
      "dev.apicache.adapter.helidon", Set.of("dev.apicache.adapter.helidon"),
      "dev.apicache.adapter.testkit", Set.of("dev.apicache.adapter.testkit"),
      "dev.apicache.micrometer", Set.of("dev.apicache.micrometer"),
      "dev.apicache.proxy", Set.of("dev.apicache.proxy"));

  /** The class path's jars and modular directories, tests aside, by module name, the first of a name winning. */
  private static ModuleFinder classPathModules() {
    Map<String, Path> byName = new LinkedHashMap<>();
    for (String entry : System.getProperty("java.class.path").split(File.pathSeparator)) {
      Path path = Path.of(entry);
      boolean jar = entry.endsWith(".jar") && Files.isRegularFile(path);
      if (!jar && !Files.isRegularFile(path.resolve("module-info.class")) || entry.endsWith("-tests.jar")) {
        continue; // test classes: not published, and they share their module's packages
      }
      try {
        for (ModuleReference m : ModuleFinder.of(path).findAll()) {
          byName.putIfAbsent(m.descriptor().name(), path);
        }
      } catch (FindException notAModule) {
        // a jar no module name can be derived from is not one an application could put on the module path
      }
    }
    return ModuleFinder.of(byName.values().toArray(Path[]::new));
  }

  private static Configuration resolve(ModuleFinder finder, Set<String> roots) {
    return ModuleLayer.boot().configuration().resolve(finder, ModuleFinder.of(), roots);
  }

  @Test
  void everyModule_isNamed_resolves_andExportsOnlyItsAudiencesPackages() {
    ModuleFinder finder = classPathModules();
    Configuration graph = resolve(finder, EXPORTS.keySet());
    for (Map.Entry<String, Set<String>> expected : EXPORTS.entrySet()) {
      ModuleDescriptor module = graph.findModule(expected.getKey()).orElseThrow().reference().descriptor();
      assertFalse(module.isAutomatic(), module.name() + " is an automatic module");
      Set<String> everyone = new TreeSet<>();
      for (ModuleDescriptor.Exports e : module.exports()) {
        if (e.isQualified()) {
          assertTrue(e.targets().stream().allMatch(t -> t.startsWith("dev.apicache.")),
              module.name() + " exports " + e.source() + " to a module outside apicache: " + e.targets());
        } else {
          everyone.add(e.source());
        }
      }
      assertEquals(new TreeSet<>(expected.getValue()), everyone, module.name() + "'s exports");
    }
  }

  @Test
  void anApplicationModule_servesAHit_andCannotReachWhatIsNotExported(@TempDir Path dir) throws Exception {
    Configuration graph = resolve(classPathModules(), Set.of("dev.apicache.store.caffeine"));
    String modulePath = graph.modules().stream().map(ResolvedModule::reference)
        .map(r -> Path.of(r.location().orElseThrow()).toString()).collect(Collectors.joining(File.pathSeparator));

    Path app = write(dir.resolve("app-src"), "module app { requires dev.apicache.store.caffeine; }", """
        package app;

        import dev.apicache.Bytes;
        import dev.apicache.CacheEngine;
        import dev.apicache.CachePolicies;
        import dev.apicache.CachePolicy;
        import dev.apicache.CacheRequest;
        import dev.apicache.CacheResponse;
        import dev.apicache.Origin;
        import dev.apicache.store.caffeine.CaffeineStore;
        import java.time.Duration;

        public class Main {
          public static void main(String[] args) {
            try (CacheEngine engine = CacheEngine.builder(CachePolicies.builder()
                .add(CachePolicy.forRoute("/products/{id}").ttl(Duration.ofMinutes(1)).build()).build(),
                CaffeineStore.builder().build()).build()) {
              Origin origin = r -> CacheResponse.builder(200).body(Bytes.utf8("{\\"id\\":1}")).build();
              engine.handle(CacheRequest.get("/products/1"), origin);
              System.out.println(engine.handle(CacheRequest.get("/products/1"), origin).headers().first("X-Cache")
                  .orElse("none"));
            }
          }
        }
        """);
    Path classes = dir.resolve("app");
    assertEquals("", compile(app, modulePath, classes), "the application compiles on the module path");

    Process run = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "--module-path", classes + File.pathSeparator + modulePath, "-m", "app/app.Main")
        .redirectErrorStream(true).start();
    String out = new String(run.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(run.waitFor(2, TimeUnit.MINUTES), "the application did not finish: " + out);
    assertEquals(0, run.exitValue(), out);
    assertEquals("HIT", out.strip().lines().reduce((a, b) -> b).orElse(""), out);

    Path reaching = write(dir.resolve("reaching-src"), "module app { requires dev.apicache.store.caffeine; }", """
        package app;

        public class Main {
          Object bounded = dev.apicache.internal.BoundedStore.class;
        }
        """);
    String refused = compile(reaching, modulePath, dir.resolve("reaching"));
    assertTrue(refused.contains("dev.apicache.internal") && refused.contains("not visible"), refused);
  }

  private static Path write(Path root, String moduleInfo, String main) throws IOException {
    Files.createDirectories(root.resolve("app"));
    Files.writeString(root.resolve("module-info.java"), moduleInfo);
    Files.writeString(root.resolve("app").resolve("Main.java"), main);
    return root;
  }

  /** javac's diagnostics, empty when {@code sources} compiled. */
  private static String compile(Path sources, String modulePath, Path out) throws IOException {
    List<String> args = new ArrayList<>(List.of("--module-path", modulePath, "-d", out.toString()));
    try (Stream<Path> files = Files.walk(sources)) {
      files.filter(p -> p.toString().endsWith(".java")).forEach(p -> args.add(p.toString()));
    }
    ByteArrayOutputStream diagnostics = new ByteArrayOutputStream();
    int status = ToolProvider.getSystemJavaCompiler().run(null, diagnostics, diagnostics, args.toArray(String[]::new));
    return status == 0 ? "" : diagnostics.toString(StandardCharsets.UTF_8);
  }
}
