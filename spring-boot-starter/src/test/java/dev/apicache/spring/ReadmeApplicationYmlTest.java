package dev.apicache.spring;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import dev.apicache.CacheEngine;
import dev.apicache.CachePolicy;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.env.YamlPropertySourceLoader;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.core.env.PropertySource;
import org.springframework.core.io.ByteArrayResource;

/** The README's {@code application.yml} starts an application with the policies it shows. */
class ReadmeApplicationYmlTest {
  @Test
  void theReadmesApplicationYml_makesTheEngineItDescribes() throws Exception {
    String yaml = applicationYml();
    List<PropertySource<?>> sources = new YamlPropertySourceLoader()
        .load("README.md application.yml", new ByteArrayResource(yaml.getBytes(java.nio.charset.StandardCharsets.UTF_8)));
    new ApplicationContextRunner()
        .withConfiguration(AutoConfigurations.of(ApiCacheAutoConfiguration.class))
        .withInitializer(context -> sources.forEach(s -> context.getEnvironment().getPropertySources().addFirst(s)))
        .run(context -> {
          assertNull(context.getStartupFailure());
          List<String> routes = context.getBean(CacheEngine.class).policies().policies().stream()
              .map(CachePolicy::id).toList();
          assertEquals(List.of("/api/products/{id:int}", "/api/catalog/**"), routes);
        });
  }

  /** The README's one YAML block that starts with {@code # application.yml}. */
  private static String applicationYml() throws Exception {
    List<String> lines = Files.readAllLines(Path.of("..", "README.md"));
    StringBuilder found = null;
    for (int i = 0; i < lines.size() - 1; i++) {
      if (lines.get(i).equals("```yaml") && lines.get(i + 1).equals("# application.yml")) {
        if (found != null) {
          throw new AssertionError("README.md has two application.yml blocks");
        }
        found = new StringBuilder();
        for (int j = i + 1; !lines.get(j).startsWith("```"); j++) {
          found.append(lines.get(j)).append('\n');
        }
      }
    }
    if (found == null) {
      throw new AssertionError("README.md has no ```yaml block starting with '# application.yml'");
    }
    return found.toString();
  }
}
