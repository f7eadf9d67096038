package dev.apicache;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PolicyFileTest {
  private static final Map<String, KeyFunction> TENANT = Map.of("tenant", r -> Optional.of("acme"));

  private static final String SEED = String.join("\n",
      "policies:",
      "  - path: /api/products",
      "    methods: [GET]",
      "    ttl: 60s",
      "    staleWhileRevalidate: 30s",
      "    staleIfError: 10m",
      "    varyBy: [category, page, \"header:X-Tenant-Id\", \"key:tenant\"]",
      "    invalidateOn: [product.created, product.updated, product.deleted]",
      "  - path: /api/products/{id}",
      "    ttl: PT1M",
      "    tags: [\"product:{id}\"]",
      "    cacheControl: \"public, max-age=5\"",
      "    maxBodySize: 512KB",
      "    shared: true",
      "  - path: /api/categories",
      "    ttl: 300",
      "  - path: /api/user/profile",
      "    ttl: 0",
      "writes:",
      "  - path: /api/products/**",
      "    methods: [POST, PUT, PATCH, DELETE]",
      "    events: [product.updated]",
      "");

  @Test
  void seedShapedYaml_loadsEveryField(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("cache.yaml");
    Files.writeString(file, SEED);
    CachePolicies policies = PolicyFile.load(file, TENANT);
    CachePolicy products = policies.byId("/api/products").orElseThrow();
    assertEquals(Duration.ofSeconds(60), products.ttl());
    assertEquals(Duration.ofSeconds(30), products.staleWhileRevalidate());
    assertEquals(Duration.ofMinutes(10), products.staleIfError());
    assertEquals(List.of(new VaryBy.QueryParam("category"), new VaryBy.QueryParam("page"),
        new VaryBy.Header("x-tenant-id"), new VaryBy.Key("tenant")), products.varyBy());
    assertEquals(3, products.invalidateOn().size());
    CachePolicy one = policies.byId("/api/products/{id}").orElseThrow();
    assertEquals(Duration.ofMinutes(1), one.ttl());
    assertEquals(List.of("product:{id}"), one.tags());
    assertEquals("public, max-age=5", one.clientCacheControl());
    assertEquals(512 * 1024, one.maxBodyBytes());
    assertTrue(one.shared());
    assertEquals(Duration.ofSeconds(300), policies.byId("/api/categories").orElseThrow().ttl());
    assertTrue(policies.byId("/api/user/profile").orElseThrow().bypasses());
    assertEquals(1, policies.writes().size());
  }

  @Test
  void jsonLoadsTheSameAsYaml() {
    String json = "{\"policies\":[{\"path\":\"/api/config\",\"ttl\":\"500ms\",\"varyBy\":[\"header:X-Tenant-Id\"]}],"
        + "\"writes\":[{\"path\":\"/api/config\",\"events\":[\"config.updated\"]}]}";
    CachePolicies p = PolicyFile.parse(json, "cache.json", Map.of());
    assertEquals(Duration.ofMillis(500), p.policies().get(0).ttl());
  }

  @Test
  void durations_acceptEveryDocumentedSpelling() {
    assertEquals(Duration.ofSeconds(60), PolicyFile.parseDuration("60"));
    assertEquals(Duration.ofSeconds(60), PolicyFile.parseDuration("60s"));
    assertEquals(Duration.ofMillis(500), PolicyFile.parseDuration("500ms"));
    assertEquals(Duration.ofMinutes(5), PolicyFile.parseDuration("5m"));
    assertEquals(Duration.ofHours(2), PolicyFile.parseDuration("2h"));
    assertEquals(Duration.ofDays(1), PolicyFile.parseDuration("1d"));
    assertEquals(Duration.ofMinutes(1), PolicyFile.parseDuration("PT1M"));
    assertEquals(Duration.ofMillis(1500), PolicyFile.parseDuration("1.5s"));
  }

  private static String failure(String yaml) {
    return assertThrows(PolicyConfigException.class, () -> PolicyFile.parse(yaml, "cache.yaml", TENANT)).getMessage();
  }

  @Test
  void mistakes_failWithFileEntryAndReasonInOneMessage() {
    String unknown = failure("policies:\n  - path: /a\n    ttl: 1s\n    tll: 2s\n");
    assertTrue(unknown.startsWith("cache.yaml: policies[0] (/a): unknown field 'tll'"), unknown);

    String type = failure("policies:\n  - path: /a\n    ttl: [1]\n");
    assertTrue(type.startsWith("cache.yaml: policies[0] (/a): ttl: expected a duration"), type);

    String duration = failure("policies:\n  - path: /a\n    ttl: 5x\n");
    assertTrue(duration.contains("policies[0] (/a): ttl: bad duration '5x'"), duration);

    String negative = failure("policies:\n  - path: /a\n    ttl: -5\n");
    assertTrue(negative.contains("ttl: must be >= 0"), negative);

    String duplicate = failure("policies:\n  - path: /a/{id}\n    ttl: 1s\n  - path: /a/{x}\n    ttl: 1s\n");
    assertTrue(duplicate.startsWith("cache.yaml: duplicate route"), duplicate);

    String key = failure("policies:\n  - path: /a\n    ttl: 1s\n    varyBy: [\"key:region\"]\n");
    assertTrue(key.contains("key:region") && key.startsWith("cache.yaml"), key);

    String missingTtl = failure("policies:\n  - path: /a\n");
    assertTrue(missingTtl.contains("policies[0] (/a): ttl is required"), missingTtl);

    String topLevel = failure("policies:\n  - path: /a\n    ttl: 1\ncache: {}\n");
    assertTrue(topLevel.contains("unknown field 'cache'"), topLevel);

    String broken = failure("policies: [\n");
    assertTrue(broken.startsWith("cache.yaml: not valid YAML"), broken);

    String dupKey = failure("policies:\n  - path: /a\n    ttl: 1\n    ttl: 2\n");
    assertTrue(dupKey.contains("ttl"), dupKey);

    assertTrue(failure("").contains("empty policy file"));
    assertTrue(failure("writes: []\n").contains("'policies' must be a non-empty list"));
    assertTrue(failure("policies:\n  - ttl: 1\n").contains("policies[0]: path is required"));
    assertTrue(failure("policies:\n  - path: /a\n    ttl: 1\nwrites:\n  - path: /a\n    methods: [GET]\n    events: [e]\n")
        .contains("writes[0] (/a)"));
  }

  private static PolicyConfigException treeFailure(Map<String, ?> root) {
    return assertThrows(PolicyConfigException.class, () -> PolicyFile.fromTree(root, "app.yml", TENANT));
  }

  @Test
  void aTree_isReadByTheFilesRules_andEachMistakeNamesItsField() {
    CachePolicies p = PolicyFile.fromTree(Map.of("policies", List.of(Map.of("path", "/api/items/{id}", "ttl", "60s",
        "varyBy", List.of("key:tenant"), "tags", List.of("item:{id}"), "shared", true, "maxBodySize", 2048))),
        "app.yml", TENANT);
    CachePolicy items = p.policies().get(0);
    assertEquals(Duration.ofSeconds(60), items.ttl());
    assertEquals(List.of(new VaryBy.Key("tenant")), items.varyBy());
    assertEquals(2048, items.maxBodyBytes());

    PolicyConfigException list = treeFailure(Map.of("policies", List.of(Map.of("path", "/a", "ttl", "1s",
        "varyBy", "category"))));
    assertEquals(Optional.of("policies[0].varyBy"), list.field());
    assertEquals("expected a list but got string \"category\"", list.reason());
    assertEquals("app.yml: policies[0] (/a): varyBy: " + list.reason(), list.getMessage());

    PolicyConfigException unknown = treeFailure(Map.of("policies", List.of(Map.of("path", "/a", "ttl", "1s")),
        "writes", List.of(Map.of("path", "/a", "events", List.of("e"), "evnts", List.of("f")))));
    assertEquals(Optional.of("writes[0].evnts"), unknown.field());
    assertTrue(unknown.reason().startsWith("unknown field 'evnts'"), unknown.reason());

    PolicyConfigException tag = treeFailure(Map.of("policies", List.of(Map.of("path", "/a", "ttl", "1s"),
        Map.of("path", "/b/{id}", "ttl", "1s", "tags", List.of("b:{slug}")))));
    assertTrue(tag.field().orElseThrow().startsWith("policies[1]"), tag.field().toString());
    assertTrue(tag.reason().contains("{slug}"), tag.reason());

    PolicyConfigException duration = treeFailure(Map.of("policies", List.of(Map.of("path", "/a", "ttl", "soon"))));
    assertEquals(Optional.of("policies[0].ttl"), duration.field());
    PolicyConfigException origin = treeFailure(Map.of("policies", List.of(Map.of("path", "/a", "ttl", "1s",
        "freshness", "origin"))));
    assertEquals(Optional.of("policies[0].ttl"), origin.field());
    assertEquals(Optional.of("policies"), treeFailure(Map.of("policies", List.of())).field());
    assertEquals(Optional.empty(), new PolicyConfigException("built in code").field());
  }

  @Test
  void mistakesInAFile_nameTheirFieldToo() {
    PolicyConfigException e = assertThrows(PolicyConfigException.class, () -> PolicyFile.parse(
        "policies:\n  - path: /a\n    ttl: 1s\n    invalidateOn: product.updated\n", "cache.yaml", TENANT));
    assertEquals(Optional.of("policies[0].invalidateOn"), e.field());
  }

  @Test
  void missingFile_failsWithItsName(@TempDir Path dir) {
    Path missing = dir.resolve("nope.yaml");
    PolicyConfigException e = assertThrows(PolicyConfigException.class, () -> PolicyFile.load(missing, Map.of()));
    assertTrue(e.getMessage().startsWith(missing.toString()), e.getMessage());
  }
}
