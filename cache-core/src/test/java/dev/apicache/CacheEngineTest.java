package dev.apicache;

import static dev.apicache.Fixture.cacheStatus;
import static dev.apicache.Fixture.xCache;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.apicache.http.EntityTag;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class CacheEngineTest {
  private final Fixture f = new Fixture();

  @AfterEach
  void close() {
    f.close();
  }

  @Test
  void missThenHit_callsTheOriginOnce() {
    CacheResponse miss = f.get("/api/products?category=books");
    CacheResponse hit = f.get("/api/products?category=books");
    assertEquals("MISS", xCache(miss));
    assertEquals("HIT", xCache(hit));
    assertEquals(miss.body(), hit.body());
    assertEquals(1, f.originCalls.get());
  }

  @Test
  void hit_carriesQuotedETagAgeClientDirectiveAndCacheStatus() {
    f.get("/api/products/1");
    f.clock.advance(Duration.ofSeconds(7));
    CacheResponse hit = f.get("/api/products/1");
    String etag = hit.headers().first("ETag").orElseThrow();
    assertTrue(EntityTag.tryParse(etag).isPresent(), etag);
    assertFalse(EntityTag.parse(etag).isWeak());
    assertEquals("7", hit.headers().first("Age").orElseThrow());
    assertEquals("no-cache", hit.headers().first("Cache-Control").orElseThrow());
    assertTrue(cacheStatus(hit).matches("apicache; hit; ttl=53; key=\"[0-9a-f]{8}\""), cacheStatus(hit));
    assertEquals("application/json", hit.headers().first("Content-Type").orElseThrow());
  }

  @Test
  void origin_etagIsKeptAndCompared() {
    f.respond = r -> CacheResponse.builder(200).header("ETag", "W/\"v7\"").body("x").build();
    assertEquals("W/\"v7\"", f.get("/api/products/2").headers().first("ETag").orElseThrow());
    assertEquals(304, f.get("/api/products/2", "If-None-Match", "\"v7\"").status());
  }

  @Test
  void originRequest_isAFullIdentityGetWithoutConditionals() {
    AtomicReference<CacheRequest> seen = new AtomicReference<>();
    f.respond = r -> {
      seen.set(r);
      return CacheResponse.builder(200).body("x").build();
    };
    f.send(CacheRequest.builder("HEAD", "/api/products?category=a&page=2")
        .header("If-None-Match", "\"x\"").header("If-Modified-Since", "Mon, 01 Jan 2024 00:00:00 GMT")
        .header("Accept-Encoding", "gzip").header("X-Request-Id", "r1").build());
    CacheRequest r = seen.get();
    assertEquals("GET", r.method());
    assertEquals("/api/products?category=a&page=2", r.target());
    assertFalse(r.headers().contains("If-None-Match"));
    assertFalse(r.headers().contains("If-Modified-Since"));
    assertEquals(List.of("identity"), r.headers().all("Accept-Encoding"));
    assertEquals("r1", r.headers().first("X-Request-Id").orElseThrow());
  }

  @Test
  void head_isAnsweredFromTheGetEntryWithItsLength() {
    CacheResponse get = f.get("/api/products/3");
    CacheResponse head = f.send(CacheRequest.builder("HEAD", "/api/products/3").build());
    assertEquals("HIT", xCache(head));
    assertTrue(head.body().isEmpty());
    assertEquals(String.valueOf(get.body().size()), head.headers().first("Content-Length").orElseThrow());
    assertEquals(1, f.originCalls.get());
  }

  @Test
  void conditionalRequests_answer304OnHitAndRightAfterAMiss() {
    CacheResponse first = f.get("/api/products/4");
    String etag = first.headers().first("ETag").orElseThrow();
    f.engine.invalidateTags("product:4");
    CacheResponse afterMiss = f.get("/api/products/4", "If-None-Match", etag);
    assertEquals(304, afterMiss.status());
    assertEquals("MISS", xCache(afterMiss));
    CacheResponse onHit = f.get("/api/products/4", "If-None-Match", "\"nope\", " + etag);
    assertEquals(304, onHit.status());
    assertTrue(onHit.body().isEmpty());
    assertEquals(etag, onHit.headers().first("ETag").orElseThrow());
    assertFalse(onHit.headers().contains("Content-Type"), "a 304 carries only the validator and cache fields");
    assertEquals(1, f.engine.stats().total().conditionalHits());
  }

  @Test
  void ifModifiedSince_isUsedOnlyWithoutIfNoneMatch() {
    f.respond = r -> CacheResponse.builder(200).header("Last-Modified", "Mon, 01 Jan 2024 00:00:00 GMT").body("x").build();
    f.get("/api/products/5");
    assertEquals(304, f.get("/api/products/5", "If-Modified-Since", "Tue, 02 Jan 2024 00:00:00 GMT").status());
    assertEquals(200, f.get("/api/products/5", "If-Modified-Since", "Sun, 31 Dec 2023 00:00:00 GMT").status());
    assertEquals(200, f.get("/api/products/5", "If-None-Match", "\"other\"",
        "If-Modified-Since", "Tue, 02 Jan 2024 00:00:00 GMT").status());
    assertEquals(200, f.get("/api/products/5", "If-Modified-Since", "yesterday").status());
  }

  @Test
  void staleEntry_isServedAndRevalidatedInTheBackground() {
    CacheResponse original = f.get("/api/products/6");
    f.version = 2;
    f.clock.advance(Duration.ofSeconds(70)); // ttl 60 + swr 30
    CacheResponse stale = f.get("/api/products/6");
    assertEquals("STALE", xCache(stale));
    assertEquals(original.body(), stale.body());
    assertTrue(cacheStatus(stale).contains("ttl=-10") && cacheStatus(stale).contains("detail=stale-while-revalidate"),
        cacheStatus(stale));
    await("() -> f.engine.stats().total().revalidations() == 1")
        .atMost(Duration.ofSeconds(60)).until(() -> f.engine.stats().total().revalidations() == 1);
    CacheResponse fresh = f.get("/api/products/6");
    assertEquals("HIT", xCache(fresh));
    assertTrue(fresh.body().utf8().contains("\"version\":2"));
  }

  @Test
  void expiredEntryWithoutStaleIfError_isAMiss() {
    f.get("/api/products/7");
    f.clock.advance(Duration.ofSeconds(95));
    CacheResponse r = f.get("/api/products/7");
    assertEquals("MISS", xCache(r));
    assertTrue(cacheStatus(r).contains("fwd=miss"), cacheStatus(r)); // the store let it go at ttl + swr
  }

  @Test
  void failingOrigin_withinStaleIfError_servesTheStaleEntry() {
    CacheResponse good = f.get("/api/products?category=a");
    f.clock.advance(Duration.ofMinutes(2)); // past ttl + swr, inside sie (10m)
    f.respond = r -> {
      throw new IllegalStateException("database down");
    };
    CacheResponse covered = f.get("/api/products?category=a");
    assertEquals(200, covered.status());
    assertEquals(good.body(), covered.body());
    assertEquals("STALE", xCache(covered));
    assertTrue(cacheStatus(covered).contains("fwd-status=502") && cacheStatus(covered).contains("detail=stale-if-error"));
    f.respond = r -> CacheResponse.builder(503).body("busy").build();
    assertEquals(200, f.get("/api/products?category=a").status());
    f.clock.advance(Duration.ofMinutes(20));
    assertEquals(503, f.get("/api/products?category=a").status());
    f.respond = r -> {
      throw new IllegalStateException("database down");
    };
    CacheResponse unreachable = f.get("/api/products?category=a");
    assertEquals(502, unreachable.status());
    assertEquals(2, f.engine.stats().total().staleIfErrorServes());
  }

  @Test
  void events_invalidateEveryListeningPolicyInConstantTime() {
    f.get("/api/products?category=a");
    f.get("/api/products/8");
    f.get("/api/config", "X-Tenant-Id", "t");
    assertEquals(2, f.engine.invalidate("product.updated"));
    assertEquals(0, f.engine.invalidate("no.such.event"));
    assertEquals("MISS", xCache(f.get("/api/products?category=a")));
    assertEquals("MISS", xCache(f.get("/api/products/8")));
    assertEquals(2, f.engine.stats().total().eventInvalidations());
  }

  @Test
  void tags_dropExactlyTheTaggedEntries() {
    f.get("/api/products/9");
    f.get("/api/products/10");
    f.engine.invalidateTags("product:9");
    assertEquals("MISS", xCache(f.get("/api/products/9")));
    assertEquals("HIT", xCache(f.get("/api/products/10")));
  }

  @Test
  void successfulUnsafeRequest_purgesItsUrlItsLocationAndFiresItsEvents() {
    f.get("/api/products?category=a");
    f.get("/api/products/11");
    f.get("/api/products/12");
    f.respond = r -> CacheResponse.builder(201).header("Location", "/api/products/12").body("created").build();
    CacheResponse post = f.send(CacheRequest.builder("POST", "/api/products").body(Bytes.utf8("{}")).build());
    assertEquals(201, post.status());
    assertEquals("BYPASS", xCache(post));
    assertTrue(cacheStatus(post).startsWith("apicache; fwd=method; fwd-status=201"), cacheStatus(post));
    f.respond = r -> CacheResponse.builder(200).body("fresh").build();
    assertEquals("MISS", xCache(f.get("/api/products?category=a")));
    assertEquals("MISS", xCache(f.get("/api/products/11")));
    assertEquals("MISS", xCache(f.get("/api/products/12")));
  }

  @Test
  void failedUnsafeRequest_invalidatesNothing() {
    f.get("/api/products/13");
    f.respond = r -> CacheResponse.builder(500).body("no").build();
    f.send(CacheRequest.builder("PUT", "/api/products/13").build());
    assertEquals("HIT", xCache(f.get("/api/products/13")));
  }

  @Test
  void unsafeRequestToAnUnlistedRoute_stillPurgesItsOwnUrl() {
    CachePolicies p = CachePolicies.builder()
        .add(CachePolicy.forRoute("/api/categories").ttl(Duration.ofSeconds(60)).build()).build();
    try (Fixture g = new Fixture(p)) {
      g.get("/api/categories");
      g.send(CacheRequest.builder("DELETE", "/api/categories").build());
      assertEquals("MISS", xCache(g.get("/api/categories")));
    }
  }

  @Test
  void headerVariants_areKeptApartAndNamedInVary() {
    CacheResponse a = f.send(CacheRequest.builder("GET", "/api/config").header("X-Tenant-Id", "a")
        .attribute("tenant", "t1").build());
    CacheResponse b = f.send(CacheRequest.builder("GET", "/api/config").header("X-Tenant-Id", "b")
        .attribute("tenant", "t1").build());
    CacheResponse c = f.send(CacheRequest.builder("GET", "/api/config").header("X-Tenant-Id", "a")
        .attribute("tenant", "t2").build());
    assertEquals("MISS", xCache(a));
    assertEquals("MISS", xCache(b));
    assertEquals("MISS", xCache(c));
    assertEquals("X-Tenant-Id", a.headers().first("Vary").orElseThrow());
    assertEquals("HIT", xCache(f.send(CacheRequest.builder("GET", "/api/config").header("x-tenant-id", "a")
        .attribute("tenant", "t1").build())));
  }

  @Test
  void keyFunctionWithoutAnswerOrThatThrows_bypasses() {
    CacheResponse noTenant = f.get("/api/config");
    assertEquals("BYPASS", xCache(noTenant));
    assertTrue(cacheStatus(noTenant).contains("detail=no-key"));
    CachePolicies throwing = CachePolicies.builder()
        .add(CachePolicy.forRoute("/x").ttl(Duration.ofSeconds(5)).varyBy("key:boom").build())
        .keyFunction("boom", r -> {
          throw new IllegalStateException("boom");
        })
        .build();
    try (Fixture g = new Fixture(throwing)) {
      assertTrue(cacheStatus(g.get("/x")).contains("detail=key-function-error"));
      assertEquals(1, g.engine.stats().total().bypassReasons().get("key-function-error"));
    }
  }

  @Test
  void authorization_bypassesUnlessThePolicyIsSharedOrKeyedOnTheCaller() {
    assertEquals("BYPASS", xCache(f.get("/api/products/14", "Authorization", "Bearer a")));
    assertEquals("BYPASS", xCache(f.get("/api/products/14", "Authorization", "Bearer a")));
    f.get("/api/shared", "Authorization", "Bearer a");
    assertEquals("HIT", xCache(f.get("/api/shared", "Authorization", "Bearer b")));
    CacheResponse keyed = f.send(CacheRequest.builder("GET", "/api/config").header("Authorization", "Bearer a")
        .attribute("tenant", "t9").build());
    assertEquals("MISS", xCache(keyed));
  }

  @Test
  void ttlZeroAndUnmatchedRoutes_bypassAndAreCountedByReason() {
    assertEquals("BYPASS", xCache(f.get("/api/user/profile")));
    assertEquals("BYPASS", xCache(f.get("/elsewhere")));
    CacheStats.Counts total = f.engine.stats().total();
    assertEquals(1L, total.bypassReasons().get("ttl-0"));
    assertEquals(1L, total.bypassReasons().get("no-policy"));
    assertEquals(2, total.bypasses());
    assertEquals(0.0, total.hitRate());
  }

  @Test
  void admit_screensOnceWithoutCallingTheOrigin() {
    Admission none = f.engine.admit(CacheRequest.get("/nowhere"));
    assertEquals(BypassReason.NO_POLICY, ((Admission.Bypass) none).reason());
    assertTrue(((Admission.Bypass) none).headers().first("Cache-Status").orElseThrow().endsWith("detail=no-policy"));
    assertTrue(f.engine.admit(CacheRequest.builder("PATCH", "/api/products/1").build()) instanceof Admission.Write);
    Admission ok = f.engine.admit(CacheRequest.get("/api/products/1"));
    assertTrue(ok instanceof Admission.Cacheable);
    assertEquals(0, f.originCalls.get());
    // admitting counts the bypass; handling the admission does not count it again
    f.engine.handle(none, r -> CacheResponse.builder(404).build());
    assertEquals(1L, f.engine.stats().total().bypassReasons().get("no-policy"));
  }

  @Test
  void stats_separatePoliciesAndComputeTheHitRate() {
    f.get("/api/products/15");
    f.get("/api/products/15");
    f.get("/api/products/15");
    f.get("/api/products?page=1");
    CacheStats stats = f.engine.stats();
    CacheStats.Counts one = stats.policy("/api/products/{id}");
    assertEquals(2, one.hits());
    assertEquals(1, one.misses());
    assertEquals(2.0 / 3, one.hitRate(), 1e-9);
    assertEquals(1, stats.policy("/api/products").misses());
    assertEquals(2, stats.total().misses());
    assertEquals(2L * f.get("/api/products/15").body().size(), one.bytesServed());
    assertEquals(2, stats.total().originCalls());
  }

  @Test
  void anEngineThatDoesNotOwnItsStore_leavesItOpenWhenClosed() {
    dev.apicache.testing.InMemoryStore store = new dev.apicache.testing.InMemoryStore(java.time.InstantSource.system());
    CachePolicies policies = CachePolicies.builder()
        .add(CachePolicy.forRoute("/a").ttl(Duration.ofMinutes(1)).build()).build();
    Origin origin = r -> CacheResponse.builder(200).body("a").build();
    CacheEngine borrower = CacheEngine.builder(policies, store).closesStore(false).build();
    borrower.handle(CacheRequest.get("/a"), origin);
    borrower.close();
    assertEquals(1, store.size(), "the store's owner closes it");
    try (CacheEngine owner = CacheEngine.builder(policies, store).build()) {
      assertEquals("HIT", xCache(owner.handle(CacheRequest.get("/a"), origin)));
    }
    assertEquals(0, store.size(), "an engine closes the store it owns (the default)");
  }
}
