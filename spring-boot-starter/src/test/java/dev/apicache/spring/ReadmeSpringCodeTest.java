package dev.apicache.spring;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import javax.tools.Diagnostic;
import javax.tools.DiagnosticCollector;
import javax.tools.JavaCompiler;
import javax.tools.JavaFileObject;
import javax.tools.StandardJavaFileManager;
import javax.tools.ToolProvider;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The README's Spring Boot code (every Java block that imports {@code dev.apicache.spring}) compiles
 * against the starter; the other blocks are compiled by the benchmarks module's ReadmeTest.
 */
class ReadmeSpringCodeTest {
  @Test
  void theReadmesSpringBlocks_compile(@TempDir Path dir) throws Exception {
    List<String> lines = Files.readAllLines(Path.of("..", "README.md"));
    List<Path> sources = new ArrayList<>();
    List<Integer> starts = new ArrayList<>();
    for (int i = 0; i < lines.size(); i++) {
      if (!lines.get(i).equals("```java")) {
        continue;
      }
      int start = i + 2;
      StringBuilder text = new StringBuilder();
      for (i++; !lines.get(i).startsWith("```"); i++) {
        text.append(lines.get(i)).append('\n');
      }
      if (text.indexOf("import dev.apicache.spring.") >= 0) {
        java.util.regex.Matcher type = java.util.regex.Pattern.compile(
            "(?m)^(?:public )?(?:final )?(?:class|record|interface) (\\w+)").matcher(text);
        assertTrue(type.find(), "README.md line " + start + ": a Java block must declare its class");
        Path file = Files.createDirectories(dir.resolve("src")).resolve(type.group(1) + ".java");
        Files.writeString(file, text);
        sources.add(file);
        starts.add(start);
      }
    }
    assertTrue(sources.size() >= 2, "the README's Spring Boot blocks: " + sources.size());
    JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
    DiagnosticCollector<JavaFileObject> problems = new DiagnosticCollector<>();
    try (StandardJavaFileManager files = javac.getStandardFileManager(problems, Locale.ROOT, null)) {
      boolean ok = javac.getTask(null, files, problems, List.of("-d",
              Files.createDirectories(dir.resolve("classes")).toString(), "-classpath",
              System.getProperty("java.class.path"), "-proc:none", "-Xlint:none"), null,
          files.getJavaFileObjectsFromPaths(sources)).call();
      List<String> errors = new ArrayList<>();
      for (Diagnostic<? extends JavaFileObject> d : problems.getDiagnostics()) {
        if (d.getKind() == Diagnostic.Kind.ERROR) {
          int block = sources.indexOf(Path.of(d.getSource().toUri()));
          errors.add("README.md line " + (starts.get(block) + d.getLineNumber() - 1) + ": " + d.getMessage(Locale.ROOT));
        }
      }
      assertTrue(ok && errors.isEmpty(), String.join("\n", errors));
    }
  }
}
