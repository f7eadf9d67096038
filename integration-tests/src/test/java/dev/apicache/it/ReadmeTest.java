package dev.apicache.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.apicache.CacheEngine;
import dev.apicache.CachePolicies;
import dev.apicache.KeyFunction;
import dev.apicache.PolicyFile;
import java.net.URI;
import java.net.URL;
import java.net.URLClassLoader;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import javax.tools.Diagnostic;
import javax.tools.DiagnosticCollector;
import javax.tools.JavaCompiler;
import javax.tools.JavaFileObject;
import javax.tools.StandardJavaFileManager;
import javax.tools.ToolProvider;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * The README works as written: every Java block compiles with its own imports against the published
 * modules, every policy file loads, and the Javalin quickstart, started over the quickstart's policy
 * file, caches per tenant and drops what a write changes.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ReadmeTest {
  /** What each YAML block is, by its first line; a block none of these names is untested, so refused. */
  private static final Set<String> KNOWN_YAML = Set.of("# cache-policies.yaml", "# policy-reference.yaml",
      "# application.yml");

  private Path dir;
  private URLClassLoader compiled;

  @BeforeAll
  void compileEveryJavaBlock(@TempDir Path tempDir) throws Exception {
    dir = tempDir;
    // the Spring Boot blocks need the starter's class path: its ReadmeSpringCodeTest compiles them
    List<Readme.Block> blocks = Readme.blocks("java").stream()
        .filter(b -> !b.text().contains("import dev.apicache.spring.")).toList();
    assertTrue(blocks.size() >= 8, "the README's Java blocks: " + blocks.size());
    Path sources = Files.createDirectories(dir.resolve("src"));
    Path classes = Files.createDirectories(dir.resolve("classes"));
    Map<Path, Readme.Block> from = new java.util.HashMap<>();
    Set<String> names = new HashSet<>();
    for (Readme.Block b : blocks) {
      String name = Readme.typeName(b).orElseThrow(() -> new AssertionError(
          "README.md line " + b.line() + ": a Java block must declare its class, with its imports"));
      assertTrue(names.add(name), "README.md line " + b.line() + ": a second block declares " + name);
      Path file = sources.resolve(name + ".java");
      Files.writeString(file, b.text());
      from.put(file.toAbsolutePath(), b);
    }
    JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
    DiagnosticCollector<JavaFileObject> problems = new DiagnosticCollector<>();
    try (StandardJavaFileManager files = javac.getStandardFileManager(problems, Locale.ROOT, null)) {
      List<String> options = List.of("-d", classes.toString(), "-classpath", System.getProperty("java.class.path"),
          "-proc:none", "-Xlint:none");
      boolean ok = javac.getTask(null, files, problems, options, null,
          files.getJavaFileObjectsFromPaths(from.keySet())).call();
      List<String> where = new ArrayList<>();
      for (Diagnostic<? extends JavaFileObject> d : problems.getDiagnostics()) {
        if (d.getKind() == Diagnostic.Kind.ERROR) {
          Readme.Block b = from.get(Path.of(d.getSource().toUri()).toAbsolutePath());
          where.add("README.md line " + (b.line() + d.getLineNumber() - 1) + ": " + d.getMessage(Locale.ROOT));
        }
      }
      assertTrue(ok && where.isEmpty(), String.join("\n", where));
    }
    compiled = new URLClassLoader(new URL[] {classes.toUri().toURL()}, getClass().getClassLoader());
  }

  @AfterAll
  void close() throws Exception {
    if (compiled != null) {
      compiled.close();
    }
  }

  @Test
  void everyJavaBlock_compiledWithItsImports() {
    for (Readme.Block b : Readme.blocks("java")) {
      assertTrue(b.text().startsWith("import "), "README.md line " + b.line() + ": starts with its imports");
    }
  }

  @Test
  void everyYamlBlock_isOneTheSuiteLoads_andEveryPolicyFileLoads() {
    Map<String, KeyFunction> functions = Map.of("tenant", KeyFunction.attribute("tenant"));
    for (Readme.Block b : Readme.blocks("yaml")) {
      assertTrue(KNOWN_YAML.contains(b.firstLine()), "README.md line " + b.line()
          + ": a YAML block no test loads (first line names it: " + KNOWN_YAML + ")");
      if (!b.firstLine().equals("# application.yml")) { // that one: ReadmeApplicationYmlTest, in the starter
        CachePolicies policies = PolicyFile.parse(b.text(), "README.md line " + b.line(), functions);
        assertFalse(policies.policies().isEmpty(), b.firstLine());
      }
    }
  }

  @Test
  void theJavalinQuickstart_cachesPerTenant_checksRolesFirst_andAWriteDropsTheList() throws Exception {
    Path policyFile = dir.resolve("cache-policies.yaml");
    Files.writeString(policyFile, Readme.named("yaml", "# cache-policies.yaml").text());
    CacheEngine engine = (CacheEngine) compiled.loadClass("Cache").getMethod("engine", Path.class)
        .invoke(null, policyFile);
    Object javalin = compiled.loadClass("Shop").getMethod("start", CacheEngine.class, int.class)
        .invoke(null, engine, 0);
    try {
      int port = (int) javalin.getClass().getMethod("port").invoke(javalin);
      HttpClient http = HttpClient.newHttpClient();
      String list = "http://127.0.0.1:" + port + "/api/products?category=tea";
      assertEquals("MISS", xCache(send(http, "GET", list, "X-Tenant-Id", "north")));
      HttpResponse<String> hit = send(http, "GET", list, "X-Tenant-Id", "north");
      assertEquals("HIT", xCache(hit));
      assertTrue(hit.body().contains("\"tenant\":\"north\""), hit.body());
      HttpResponse<String> other = send(http, "GET", list, "X-Tenant-Id", "south");
      assertEquals("MISS", xCache(other), "another tenant never gets the first one's answer");
      assertTrue(other.body().contains("\"tenant\":\"south\""), other.body());
      HttpResponse<String> noTenant = send(http, "GET", list);
      assertTrue(header(noTenant, "Cache-Status").contains("detail=no-key"), header(noTenant, "Cache-Status"));

      assertEquals(403, send(http, "GET", "http://127.0.0.1:" + port + "/api/reports").statusCode());
      assertEquals(200, send(http, "GET", "http://127.0.0.1:" + port + "/api/reports", "X-Role", "admin")
          .statusCode());

      assertEquals(200, send(http, "PUT", "http://127.0.0.1:" + port + "/api/products/1", "X-Tenant-Id", "north")
          .statusCode());
      HttpResponse<String> after = send(http, "GET", list, "X-Tenant-Id", "north");
      assertEquals("MISS", xCache(after), "the write's event dropped the list");
      assertEquals("MISS", xCache(send(http, "GET", list, "X-Tenant-Id", "south")));
    } finally {
      javalin.getClass().getMethod("stop").invoke(javalin);
      engine.close();
    }
  }

  private static HttpResponse<String> send(HttpClient http, String method, String url, String... headers)
      throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(30))
        .method(method, method.equals("GET") ? HttpRequest.BodyPublishers.noBody()
            : HttpRequest.BodyPublishers.ofString("mug"));
    for (int i = 0; i < headers.length; i += 2) {
      b.header(headers[i], headers[i + 1]);
    }
    return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  private static String xCache(HttpResponse<?> r) {
    return header(r, "X-Cache");
  }

  private static String header(HttpResponse<?> r, String name) {
    return r.headers().firstValue(name).orElse("");
  }
}
