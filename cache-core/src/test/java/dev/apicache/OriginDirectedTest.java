package dev.apicache;

import static dev.apicache.Fixture.cacheStatus;
import static dev.apicache.Fixture.xCache;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.apicache.http.HttpDate;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A policy that takes freshness from the origin's headers, through the engine, on a manual clock. */
class OriginDirectedTest {
  private final Fixture f = new Fixture(CachePolicies.builder()
      .add(CachePolicy.forRoute("/origin/**").originDirected(Duration.ZERO, Duration.ofHours(1)).build())
      .add(CachePolicy.forRoute("/bounded/**").originDirected(Duration.ofSeconds(30), Duration.ofMinutes(2)).build())
      .build());

  @AfterEach
  void close() {
    f.close();
  }

  private void origin(String... headers) {
    f.respond = r -> {
      CacheResponse.Builder b = CacheResponse.builder(200).header("Date", HttpDate.format(f.clock.millis()));
      for (int i = 0; i < headers.length; i += 2) {
        b.header(headers[i], headers[i + 1]);
      }
      return b.body("v" + f.version).build();
    };
  }

  @Test
  void maxAge_decidesHowLongTheEntryIsFresh_andTheOriginsDirectiveReachesTheClient() {
    origin("Cache-Control", "public, max-age=10");
    assertEquals("MISS", xCache(f.get("/origin/a")));
    f.clock.advance(Duration.ofSeconds(9));
    CacheResponse hit = f.get("/origin/a");
    assertEquals("HIT", xCache(hit));
    assertEquals("public, max-age=10", hit.headers().first("Cache-Control").orElseThrow());
    assertEquals("9", hit.headers().first("Age").orElseThrow());
    f.clock.advance(Duration.ofSeconds(1));
    assertEquals("MISS", xCache(f.get("/origin/a")), "no stale window was granted");
    assertEquals(2, f.originCalls.get());
  }

  /** RFC 9213: the field an origin targets at shared caches replaces Cache-Control for them, both ways. */
  @Test
  void cdnCacheControl_replacesCacheControl_forThisCache() {
    origin("Cache-Control", "no-store", "CDN-Cache-Control", "max-age=10");
    f.get("/origin/cdn-store");
    CacheResponse hit = f.get("/origin/cdn-store");
    assertEquals("HIT", xCache(hit), "stored for the targeted field's ten seconds");
    assertEquals("no-store", hit.headers().first("Cache-Control").orElseThrow(), "clients still get the origin's own");
    f.clock.advance(Duration.ofSeconds(10));
    assertEquals("MISS", xCache(f.get("/origin/cdn-store")));

    origin("Cache-Control", "max-age=600", "CDN-Cache-Control", "no-store");
    f.get("/origin/cdn-no-store");
    assertEquals("MISS", xCache(f.get("/origin/cdn-no-store")), "the targeted no-store wins over max-age");

    origin("Cache-Control", "max-age=5", "CDN-Cache-Control", "");
    f.get("/origin/cdn-empty");
    f.clock.advance(Duration.ofSeconds(4));
    assertEquals("HIT", xCache(f.get("/origin/cdn-empty")), "an empty targeted field leaves Cache-Control in charge");
  }

  /** RFC 9111 §4.2.4: a cache cut off from the origin may serve stale, unless the origin forbade it. */
  @Test
  void anUnreachableOrigin_getsTheStaleCopy_unlessItsDirectivesForbidIt() {
    String[][] cases = {{"max-age=10", "STALE"}, {"max-age=10, must-revalidate", "502"},
        {"max-age=10, proxy-revalidate", "502"}, {"s-maxage=10", "502"}, {"no-cache, max-age=10", "502"}};
    int n = 0;
    for (String[] c : cases) {
      String target = "/origin/cut-off-" + n++;
      origin("Cache-Control", c[0], "ETag", "\"v\"");
      assertEquals(200, f.get(target).status());
      f.clock.advance(Duration.ofSeconds(20));
      f.respond = r -> {
        throw new java.io.UncheckedIOException(new java.net.ConnectException("connection refused"));
      };
      CacheResponse r = f.get(target);
      if (c[1].equals("STALE")) {
        assertEquals(200, r.status(), c[0]);
        assertEquals("STALE", xCache(r), c[0]);
        assertTrue(cacheStatus(r).contains("detail=stale-origin-unreachable"), cacheStatus(r));
      } else {
        assertEquals(502, r.status(), c[0]);
      }
    }
    origin("Cache-Control", "max-age=10");
    f.get("/origin/cut-off-503");
    f.clock.advance(Duration.ofSeconds(20));
    f.respond = r -> CacheResponse.builder(503).body("down").build();
    assertEquals(503, f.get("/origin/cut-off-503").status(), "an origin that answers is not cut off");
  }

  @Test
  void anAgeFromUpstream_shortensTheLifetime() {
    origin("Cache-Control", "max-age=60", "Age", "50");
    f.get("/origin/aged");
    f.clock.advance(Duration.ofSeconds(9));
    CacheResponse hit = f.get("/origin/aged");
    assertEquals("HIT", xCache(hit));
    assertEquals("59", hit.headers().first("Age").orElseThrow());
    f.clock.advance(Duration.ofSeconds(1));
    assertEquals("MISS", xCache(f.get("/origin/aged")));
  }

  @Test
  void staleWhileRevalidate_fromTheResponse_servesStaleAndRefreshes() {
    origin("Cache-Control", "max-age=5, stale-while-revalidate=60");
    f.get("/origin/swr");
    f.clock.advance(Duration.ofSeconds(10));
    CacheResponse stale = f.get("/origin/swr");
    assertEquals("STALE", xCache(stale));
    assertTrue(cacheStatus(stale).contains("detail=stale-while-revalidate"), cacheStatus(stale));
  }

  @Test
  void noStorePrivateAndStaleOnArrival_areNotStored() {
    for (String cc : new String[] {"no-store", "private, max-age=60", "max-age=0", "no-cache"}) {
      origin("Cache-Control", cc);
      String target = "/origin/not-" + cc.replaceAll("[^a-z]", "");
      f.get(target);
      assertEquals("MISS", xCache(f.get(target)), cc);
    }
  }

  @Test
  void thePolicyBoundsWhatTheOriginSays() {
    origin("Cache-Control", "max-age=86400");
    f.get("/bounded/long");
    f.clock.advance(Duration.ofMinutes(2));
    assertEquals("MISS", xCache(f.get("/bounded/long")), "capped at maxTtl");
    origin("Cache-Control", "max-age=1");
    f.get("/bounded/short");
    f.clock.advance(Duration.ofSeconds(20));
    assertEquals("HIT", xCache(f.get("/bounded/short")), "floored at minTtl");
  }

  @Test
  void aNotFoundTheOriginSaysIsGoodForAMinute_isStored() {
    f.respond = r -> CacheResponse.builder(404).header("Cache-Control", "max-age=60").body("gone").build();
    f.get("/origin/missing");
    CacheResponse again = f.get("/origin/missing");
    assertEquals(404, again.status());
    assertEquals("HIT", xCache(again));
  }

  @Test
  void requestDirectives_applyToOriginDirectedRoutesOnly() {
    origin("Cache-Control", "max-age=60");
    f.get("/origin/d");
    f.clock.advance(Duration.ofSeconds(10));
    assertEquals("HIT", xCache(f.get("/origin/d", "Cache-Control", "max-age=20")));
    assertEquals("MISS", xCache(f.get("/origin/d", "Cache-Control", "max-age=5")), "too old for this client");
    assertEquals(2, f.originCalls.get());

    // a policy-directed route is the service's decision: a client's no-cache does not reach the origin
    try (Fixture policy = new Fixture()) {
      policy.get("/api/products/1");
      assertEquals("HIT", xCache(policy.get("/api/products/1", "Cache-Control", "no-cache")));
    }
  }

  @Test
  void onlyIfCached_answers504WithoutTheOrigin_andNoStoreStoresNothing() {
    origin("Cache-Control", "max-age=60");
    CacheResponse none = f.get("/origin/oic", "Cache-Control", "only-if-cached");
    assertEquals(504, none.status());
    assertTrue(cacheStatus(none).contains("detail=only-if-cached"), cacheStatus(none));
    assertEquals(0, f.originCalls.get());
    assertEquals(1L, f.engine.stats().total().bypassReasons().get("only-if-cached"));

    assertEquals("MISS", xCache(f.get("/origin/ns", "Cache-Control", "no-store")));
    assertEquals("MISS", xCache(f.get("/origin/ns")), "the no-store request's response was not stored");
    assertEquals("HIT", xCache(f.get("/origin/ns", "Cache-Control", "only-if-cached")));
  }

  @Test
  void aStaleEntry_isValidatedWithTheOrigin_andA304FreshensIt() {
    AtomicReference<CacheRequest> asked = new AtomicReference<>();
    AtomicInteger fullBodies = new AtomicInteger();
    f.respond = r -> {
      asked.set(r);
      String date = HttpDate.format(f.clock.millis());
      if (r.headers().first("If-None-Match").orElse("").equals("\"v1\"")) {
        return CacheResponse.builder(304).header("Date", date).header("Cache-Control", "max-age=60")
            .header("ETag", "\"v1\"").build();
      }
      fullBodies.incrementAndGet();
      return CacheResponse.builder(200).header("Date", date).header("Cache-Control", "max-age=10")
          .header("ETag", "\"v1\"").header("Last-Modified", "Tue, 01 Dec 2026 08:00:00 GMT")
          .header("Content-Type", "text/plain").body("the body").build();
    };
    f.get("/origin/validated");
    assertTrue(asked.get().headers().all("If-None-Match").isEmpty(), "nothing to validate on a miss");
    f.clock.advance(Duration.ofSeconds(11));

    CacheResponse refreshed = f.get("/origin/validated");
    assertEquals(200, refreshed.status());
    assertEquals("the body", refreshed.body().utf8(), "the stored body, freshened by the 304");
    assertEquals("max-age=60", refreshed.headers().first("Cache-Control").orElseThrow(), "the 304's headers win");
    assertEquals("text/plain", refreshed.headers().first("Content-Type").orElseThrow(), "the stored ones stay");
    assertEquals("\"v1\"", asked.get().headers().first("If-None-Match").orElseThrow());
    assertEquals("Tue, 01 Dec 2026 08:00:00 GMT", asked.get().headers().first("If-Modified-Since").orElseThrow());
    assertEquals(1, fullBodies.get());

    f.clock.advance(Duration.ofSeconds(50));
    assertEquals("HIT", xCache(f.get("/origin/validated")), "fresh for the 304's max-age=60");
    assertEquals(2, f.originCalls.get());
  }

  @Test
  void noCacheWithAValidator_isStored_andValidatedBeforeEveryUse() {
    AtomicReference<CacheRequest> asked = new AtomicReference<>();
    AtomicInteger fullBodies = new AtomicInteger();
    f.respond = r -> {
      asked.set(r);
      String date = HttpDate.format(f.clock.millis());
      if (r.headers().first("If-None-Match").orElse("").equals("\"n1\"")) {
        return CacheResponse.builder(304).header("Date", date).header("ETag", "\"n1\"").build();
      }
      fullBodies.incrementAndGet();
      return CacheResponse.builder(200).header("Date", date).header("Cache-Control", "no-cache")
          .header("ETag", "\"n1\"").body("always validated").build();
    };
    assertEquals("MISS", xCache(f.get("/origin/no-cache")));
    for (int i = 0; i < 3; i++) {
      CacheResponse r = f.get("/origin/no-cache");
      assertEquals(200, r.status());
      assertEquals("always validated", r.body().utf8());
      assertEquals("\"n1\"", asked.get().headers().first("If-None-Match").orElseThrow(), "validated each time");
    }
    assertEquals(4, f.originCalls.get());
    assertEquals(1, fullBodies.get(), "the 304s freshened the stored body");
  }

  @Test
  void anOriginResponseWithoutAnEntityTag_getsNoneFromTheCache_andIsValidatedByDate() {
    AtomicReference<CacheRequest> asked = new AtomicReference<>();
    f.respond = r -> {
      asked.set(r);
      return CacheResponse.builder(200).header("Date", HttpDate.format(f.clock.millis()))
          .header("Cache-Control", "max-age=10").header("Last-Modified", "Tue, 01 Dec 2026 08:00:00 GMT")
          .body("dated").build();
    };
    f.get("/origin/untagged");
    CacheResponse hit = f.get("/origin/untagged");
    assertEquals("HIT", xCache(hit));
    assertTrue(hit.headers().first("ETag").isEmpty(), "no entity tag the origin did not send");
    f.clock.advance(Duration.ofSeconds(11));
    f.get("/origin/untagged");
    assertTrue(asked.get().headers().first("If-None-Match").isEmpty(), asked.get().headers().toString());
    assertEquals("Tue, 01 Dec 2026 08:00:00 GMT", asked.get().headers().first("If-Modified-Since").orElseThrow());
  }

  @Test
  void aResponseVaryingOnAFieldThePolicyDoesNotKey_isStoredOncePerValue() {
    f.respond = r -> CacheResponse.builder(200).header("Date", HttpDate.format(f.clock.millis()))
        .header("Cache-Control", "max-age=60").header("Vary", "Accept-Language")
        .body("lang=" + r.headers().first("Accept-Language").orElse("none")).build();
    assertEquals("lang=en", f.get("/origin/vary", "Accept-Language", "en").body().utf8());
    assertEquals("lang=fr", f.get("/origin/vary", "Accept-Language", "fr").body().utf8());
    assertEquals("lang=none", f.get("/origin/vary").body().utf8());
    CacheResponse en = f.get("/origin/vary", "Accept-Language", "en");
    assertEquals("HIT", xCache(en));
    assertEquals("lang=en", en.body().utf8());
    CacheResponse fr = f.get("/origin/vary", "Accept-Language", " fr ");
    assertEquals("HIT", xCache(fr), "whitespace is normalised away");
    assertEquals("lang=fr", fr.body().utf8());
    assertEquals("lang=none", f.get("/origin/vary").body().utf8());
    assertEquals("MISS", xCache(f.get("/origin/vary", "Accept-Language", "")), "empty is not absent");
    assertEquals(4, f.originCalls.get());
    assertEquals("Accept-Language", en.headers().first("Vary").orElseThrow());
  }

  @Test
  void varyStar_neverMatches() {
    origin("Cache-Control", "max-age=60", "Vary", "*");
    f.get("/origin/star");
    assertEquals("MISS", xCache(f.get("/origin/star")));
    assertEquals(2, f.originCalls.get());
  }

  @Test
  void aRequestThatWaitedForAnotherVariantsFill_getsItsOwnVariant() throws Exception {
    ExecutorService threads = Executors.newFixedThreadPool(2);
    try {
      for (int round = 0; round < 20; round++) {
        coalescedVariantRound(threads, round);
      }
    } finally {
      threads.shutdownNow();
    }
  }

  private void coalescedVariantRound(ExecutorService threads, int round) throws Exception {
    {
      String target = "/origin/coalesced-" + round;
      CountDownLatch inOrigin = new CountDownLatch(1);
      CountDownLatch release = new CountDownLatch(1);
      f.respond = r -> {
        String lang = r.headers().first("Accept-Language").orElse("none");
        if (lang.equals("en")) {
          inOrigin.countDown();
          await(release);
        }
        return CacheResponse.builder(200).header("Date", HttpDate.format(f.clock.millis()))
            .header("Cache-Control", "max-age=60").header("Vary", "Accept-Language").body("lang=" + lang).build();
      };
      long waitsBefore = f.engine.stats().total().coalescedWaits();
      Future<CacheResponse> en = threads.submit(() -> f.get(target, "Accept-Language", "en"));
      assertTrue(inOrigin.await(60, TimeUnit.SECONDS));
      Future<CacheResponse> fr = threads.submit(() -> f.get(target, "Accept-Language", "fr"));
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
      while (f.engine.stats().total().coalescedWaits() == waitsBefore && System.nanoTime() < deadline) {
        Thread.onSpinWait(); // bounded: until the second request waits on the first one's fill
      }
      assertEquals(waitsBefore + 1, f.engine.stats().total().coalescedWaits(), "the second request waited");
      release.countDown();
      assertEquals("lang=en", en.get(60, TimeUnit.SECONDS).body().utf8());
      assertEquals("lang=fr", fr.get(60, TimeUnit.SECONDS).body().utf8(), "round " + round);
    }
  }

  private static void await(CountDownLatch latch) {
    try {
      latch.await(60, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  @Test
  void policyDirectedRoutes_neverSendTheStoredValidators() {
    try (Fixture policy = new Fixture()) {
      AtomicReference<CacheRequest> asked = new AtomicReference<>();
      policy.respond = r -> {
        asked.set(r);
        return CacheResponse.builder(200).header("ETag", "\"v1\"").body("x").build();
      };
      policy.get("/api/products/9");
      policy.clock.advance(Duration.ofMinutes(20)); // past ttl, stale windows and stale-if-error
      policy.get("/api/products/9");
      assertEquals(2, policy.originCalls.get());
      assertTrue(asked.get().headers().all("If-None-Match").isEmpty());
    }
  }

  @Test
  void policyFile_freshnessOrigin_withBounds_andClearErrors(@TempDir Path dir) throws Exception {
    Path ok = dir.resolve("ok.yaml");
    Files.writeString(ok, "policies:\n  - path: /catalog/**\n    freshness: origin\n    maxTtl: 5m\n");
    CachePolicy p = PolicyFile.load(ok, Map.of()).policies().get(0);
    assertEquals(Duration.ofMinutes(5), p.originDirected().orElseThrow().maxTtl());
    assertEquals(Duration.ZERO, p.originDirected().orElseThrow().minTtl());

    for (String bad : new String[] {
        "    freshness: origin\n    ttl: 60s\n",
        "    freshness: origin\n    cacheControl: no-cache\n",
        "    freshness: sometimes\n",
        "    ttl: 60s\n    maxTtl: 5m\n",
        "    freshness: origin\n    minTtl: 10m\n    maxTtl: 5m\n"}) {
      Path file = dir.resolve("bad.yaml");
      Files.writeString(file, "policies:\n  - path: /catalog/**\n" + bad);
      PolicyConfigException e = assertThrows(PolicyConfigException.class, () -> PolicyFile.load(file, Map.of()), bad);
      assertTrue(e.getMessage().contains("/catalog/**"), e.getMessage());
    }
  }
}
