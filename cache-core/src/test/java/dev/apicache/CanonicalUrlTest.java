package dev.apicache;

import static dev.apicache.Fixture.cacheStatus;
import static dev.apicache.Fixture.xCache;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.integers;
import static org.quicktheories.generators.SourceDSL.lists;

import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.quicktheories.core.Gen;
import org.quicktheories.generators.Generate;

/**
 * The cache answers only URLs in canonical spelling, and typed route variables make the aliases an
 * application accepts share one entry and one purge: no spelling ever serves data older than a
 * completed write.
 */
class CanonicalUrlTest {
  private static final String UUID = "3f2504e0-4f89-11d3-9a0c-0305e82c3301";

  private static CachePolicies policies() {
    return CachePolicies.builder()
        .add(CachePolicy.forRoute("/api/products").ttl(Duration.ofSeconds(60)).varyBy("category").build())
        .add(CachePolicy.forRoute("/api/products/{id:int}").ttl(Duration.ofSeconds(60)).tags("product:{id}").build())
        .add(CachePolicy.forRoute("/api/orders/{id:uuid}").ttl(Duration.ofSeconds(60)).build())
        .add(CachePolicy.forRoute("/api/brands/{name:slug}").ttl(Duration.ofSeconds(60)).build())
        .add(CachePolicy.forRoute("/api/pages/{name}").ttl(Duration.ofSeconds(60)).build())
        .add(CachePolicy.forRoute("/api/files/**").ttl(Duration.ofSeconds(60)).build())
        .write(WriteRule.of("/api/products/{id:int}", List.of("PUT", "DELETE"), List.of("product.changed")))
        .build();
  }

  private final Fixture f = new Fixture(policies());

  @AfterEach
  void close() {
    f.close();
  }

  private CacheResponse write(String method, String target, String... headers) {
    CacheRequest.Builder b = CacheRequest.builder(method, target);
    for (int i = 0; i < headers.length; i += 2) {
      b.header(headers[i], headers[i + 1]);
    }
    return f.send(b.build());
  }

  private void assertBypassed(String target, String reason) {
    CacheResponse r = f.get(target);
    assertEquals("BYPASS", xCache(r), target);
    assertTrue(cacheStatus(r).endsWith("detail=" + reason), target + ": " + cacheStatus(r));
  }

  @Test
  void spellingsTheApplicationMayRouteDifferently_goToItUncached() {
    f.get("/api/products");
    assertBypassed("/api/%70roducts", "non-canonical-path");
    assertBypassed("/api/products/", "non-canonical-path");
    assertBypassed("/api/products;jsessionid=1", "non-canonical-path");
    assertBypassed("/api/pages/a%2fb", "non-canonical-path");
    assertBypassed("/api/pages/%41", "non-canonical-path");
    assertBypassed("/api/files/a\\b", "non-canonical-path");
    assertEquals(1 + 6, f.originCalls.get(), "each went to the origin");
  }

  @Test
  void canonicalEscapes_areCachedAsSpelled() {
    f.get("/api/pages/caf%C3%A9");
    assertEquals("HIT", xCache(f.get("/api/pages/caf%C3%A9")));
    assertEquals("MISS", xCache(f.get("/api/pages/caf%C3%A8")));
  }

  @Test
  void intAliases_shareOneEntry() {
    CacheResponse first = f.get("/api/products/12");
    for (String alias : new String[] {"/api/products/012", "/api/products/+12", "/api/products/0012"}) {
      CacheResponse r = f.get(alias);
      assertEquals("HIT", xCache(r), alias);
      assertEquals(first.body(), r.body(), alias);
    }
    f.get("/api/products/-0");
    assertEquals("HIT", xCache(f.get("/api/products/0")));
    assertEquals("MISS", xCache(f.get("/api/products/-3")));
    assertEquals(3, f.originCalls.get());
  }

  @Test
  void aWriteToAnySpelling_purgesEveryAlias() {
    for (String written : new String[] {"/api/products/12", "/api/products/0012", "/api/products/%31%32/",
        "/api/products/12;v=2", "/api/products/x/../12", "/api//products/12"}) {
      f.get("/api/products/+12");
      assertEquals("HIT", xCache(f.get("/api/products/012")));
      f.version++;
      write("PUT", written);
      for (String alias : new String[] {"/api/products/12", "/api/products/012", "/api/products/+12"}) {
        CacheResponse r = f.get(alias);
        assertTrue(r.body().utf8().contains("\"version\":" + f.version), written + " then " + alias + ": " + r.body().utf8());
      }
    }
  }

  @Test
  void deleteOfOneSpelling_dropsTheOthers() {
    f.get("/api/products/009");
    write("DELETE", "/api/products/9");
    assertEquals("MISS", xCache(f.get("/api/products/009")));
  }

  @Test
  void tagsUseTheCanonicalValue() {
    f.get("/api/products/0042");
    f.engine.invalidateTags("product:42");
    assertEquals("MISS", xCache(f.get("/api/products/42")));
  }

  @Test
  void aValueTheTypeRefuses_bypasses() {
    assertBypassed("/api/products/abc", "invalid-variable");
    assertBypassed("/api/products/1.5", "invalid-variable");
    assertBypassed("/api/orders/not-a-uuid", "invalid-variable");
    assertBypassed("/api/brands/caf%C3%A9", "invalid-variable");
  }

  @Test
  void uuidAndSlugCase_isOneEntry() {
    f.get("/api/orders/" + UUID.toUpperCase(java.util.Locale.ROOT));
    assertEquals("HIT", xCache(f.get("/api/orders/" + UUID)));
    f.get("/api/brands/Acme-Tools");
    assertEquals("HIT", xCache(f.get("/api/brands/acme-tools")));
    assertEquals("HIT", xCache(f.get("/api/brands/ACME-TOOLS")));
  }

  @Test
  void sameOriginLocation_absoluteOrRelative_isPurged() {
    f.get("/api/products/7", "Host", "shop.example");
    f.get("/api/products/8", "Host", "shop.example");
    f.get("/api/products/9", "Host", "shop.example");
    CacheRequest post = CacheRequest.builder("POST", "/api/products").header("Host", "shop.example").build();
    f.engine.onWriteCompleted(post, 201, Headers.of("Location", "http://SHOP.example:80/api/products/07?x=1"));
    f.engine.onWriteCompleted(post, 201, Headers.of("Content-Location", "/api/products/8"));
    f.engine.onWriteCompleted(post, 201, Headers.of("Location", "http://elsewhere.example/api/products/9"));
    assertEquals("MISS", xCache(f.get("/api/products/7", "Host", "shop.example")));
    assertEquals("MISS", xCache(f.get("/api/products/8", "Host", "shop.example")));
    assertEquals("HIT", xCache(f.get("/api/products/9", "Host", "shop.example")), "another origin's URL is not ours");
  }

  @Test
  void aLocationWhoseAuthorityIsNotOne_isIgnored_andTheWriteStillInvalidatesItsOwnUrl() {
    f.get("/api/products/7", "Host", "shop.example");
    f.get("/api/products/8", "Host", "shop.example");
    CacheRequest put = CacheRequest.builder("PUT", "/api/products/7").header("Host", "shop.example").build();
    f.engine.onWriteCompleted(put, 200, Headers.of("Content-Location", "http://shop.example:99999999/api/products/8"));
    assertEquals("MISS", xCache(f.get("/api/products/7", "Host", "shop.example")));
    assertEquals("HIT", xCache(f.get("/api/products/8", "Host", "shop.example")), "not a URL of this origin");
  }

  @Test
  void routePatterns_refuseUnknownTypesAndTrailingSlashes() {
    PolicyConfigException unknown = assertThrows(PolicyConfigException.class,
        () -> CachePolicy.forRoute("/a/{id:long}").ttl(Duration.ofSeconds(1)).build());
    assertTrue(unknown.getMessage().contains("unknown variable type 'long'"), unknown.getMessage());
    assertTrue(unknown.getMessage().contains("known: int, uuid, slug"), unknown.getMessage());
    assertThrows(PolicyConfigException.class, () -> CachePolicy.forRoute("/a/").ttl(Duration.ofSeconds(1)).build());
    assertThrows(PolicyConfigException.class, () -> CachePolicy.forRoute("/a/%41").ttl(Duration.ofSeconds(1)).build());
  }

  /** Spellings of one integer: an optional sign, leading zeros. */
  private static final Gen<String> SPELLING = integers().between(0, 3).zip(integers().between(0, 2),
      (zeros, sign) -> (sign == 1 ? "+" : "") + "0".repeat(zeros) + "17");

  @Test
  void noSpellingServesDataOlderThanACompletedWrite() {
    // random reads and writes over random spellings of one product: every read after a write sees it
    qt().withExamples(200).forAll(lists().of(SPELLING.zip(integers().between(0, 3), Step::new)).ofSizeBetween(1, 30))
        .checkAssert(steps -> {
          try (Fixture fx = new Fixture(policies())) {
            for (Step step : steps) {
              if (step.kind == 0) {
                fx.version++;
                fx.send(CacheRequest.builder("PUT", "/api/products/" + step.spelling).build());
              } else {
                String body = fx.get("/api/products/" + step.spelling).body().utf8();
                assertTrue(body.contains("\"version\":" + fx.version), steps + ": " + body);
              }
            }
          }
        });
  }

  private record Step(String spelling, int kind) {}

  @Test
  void hostsAreKeptApart_andTheDefaultPortIsDropped() {
    f.respond = r -> CacheResponse.builder(200).body("host " + r.headers().first("Host").orElse("-")).build();
    assertEquals("host a.example", f.get("/api/products", "Host", "a.example").body().utf8());
    assertEquals("host b.example", f.get("/api/products", "Host", "b.example").body().utf8());
    assertEquals("HIT", xCache(f.get("/api/products", "Host", "A.Example:80")));
    assertEquals("MISS", xCache(f.get("/api/products", "Host", "a.example:8080")));
    assertEquals("MISS", xCache(f.send(CacheRequest.builder("GET", "/api/products").scheme("https")
        .header("Host", "a.example:80").build())), "port 80 is not https's default");
    assertEquals("HIT", xCache(f.send(CacheRequest.builder("GET", "/api/products").scheme("https")
        .header("Host", "a.example:443").build())), "https on 443 is https without a port");
    CacheResponse bad = f.get("/api/products", "Host", "a.example\"x");
    assertEquals("BYPASS", xCache(bad));
    assertTrue(cacheStatus(bad).endsWith("detail=invalid-host"), cacheStatus(bad));
  }

  @Test
  void aWriteThroughOneHost_purgesTheUrlOnEveryHost() {
    f.get("/api/products/5", "Host", "a.example");
    f.get("/api/products/5", "Host", "b.example");
    write("PUT", "/api/products/5", "Host", "a.example");
    assertEquals("MISS", xCache(f.get("/api/products/5", "Host", "b.example")));
  }

  @Test
  void shareAcrossHosts_servesOneEntryToEveryHost() {
    CachePolicies shared = CachePolicies.builder()
        .add(CachePolicy.forRoute("/api/config").ttl(Duration.ofSeconds(60)).shareAcrossHosts(true).build()).build();
    try (Fixture fx = new Fixture(shared)) {
      CacheResponse a = fx.get("/api/config", "Host", "a.example");
      CacheResponse b = fx.get("/api/config", "Host", "b.example");
      assertEquals("HIT", xCache(b));
      assertEquals(a.body(), b.body());
    }
  }
}
