package dev.apicache.it;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.apicache.testing.ApiSurface;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The public API of every published library module but the Spring starter (which checks its own) is
 * the one committed under {@code api/}: an API change is deliberate, and shows in review.
 */
class ApiSurfaceTest {
  @Test
  void everyModulesPublicApi_isTheCommittedOne() throws Exception {
    ApiSurface.check(Map.of(
        "apicache-core", dev.apicache.CacheEngine.class,
        "apicache-store-caffeine", dev.apicache.store.caffeine.CaffeineStore.class,
        "apicache-store-redis", dev.apicache.store.redis.RedisStore.class,
        "apicache-store-hazelcast", dev.apicache.store.hazelcast.HazelcastStore.class,
        "apicache-adapter-servlet", dev.apicache.adapter.servlet.ApiCacheFilter.class,
        "apicache-adapter-javalin", dev.apicache.adapter.javalin.ApiCachePlugin.class,
        "apicache-adapter-helidon", dev.apicache.adapter.helidon.ApiCacheFeature.class,
        "apicache-proxy", dev.apicache.proxy.ApiCacheProxy.class,
        "apicache-micrometer", dev.apicache.micrometer.ApiCacheMetrics.class),
        Path.of("..", "api"), "./mvnw -pl integration-tests test -Dtest=ApiSurfaceTest -Dapi.update=true");
  }

  private static final Pattern EXPORT = Pattern.compile("^\\s*exports\\s+([\\w.]+)\\s*;", Pattern.MULTILINE);
  private static final Pattern PUBLIC_TYPE = Pattern.compile(
      "^public (?:(?:final|abstract|sealed|non-sealed) )*(?:class|interface|record|enum|@interface) ", Pattern.MULTILINE);

  @Test
  void everyPublicTypeOfAnExportedPackage_saysSinceWhen() throws IOException {
    List<String> missing = new ArrayList<>();
    try (Stream<Path> declarations = Files.walk(Path.of(".."), 5)) {
      // the published modules: the demo and the benchmarks are programs of this repository only
      for (Path moduleInfo : declarations.filter(p -> p.endsWith(Path.of("src", "main", "java", "module-info.java")))
          .filter(p -> !p.startsWith(Path.of("..", "demo")) && !p.startsWith(Path.of("..", "benchmarks"))).toList()) {
        Path sources = moduleInfo.getParent();
        Matcher exported = EXPORT.matcher(Files.readString(moduleInfo));
        while (exported.find()) {
          Path dir = sources.resolve(exported.group(1).replace('.', '/'));
          try (Stream<Path> files = Files.list(dir)) {
            for (Path file : files.filter(f -> f.toString().endsWith(".java")).toList()) {
              String text = Files.readString(file);
              Matcher type = PUBLIC_TYPE.matcher(text);
              if (type.find() && !text.substring(0, type.start()).contains("@since")) {
                missing.add(file.toString());
              }
            }
          }
        }
      }
    }
    assertEquals(List.of(), missing, "public types without @since in their javadoc");
  }
}
