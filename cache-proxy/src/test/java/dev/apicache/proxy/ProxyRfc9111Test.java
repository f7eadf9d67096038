package dev.apicache.proxy;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.apicache.CacheEngine;
import dev.apicache.adapter.testkit.RawHttp;
import dev.apicache.proxy.TestUpstream.Reply;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/**
 * RFC 9111 through {@code apicache proxy} in its default, origin-directed mode, by section: a real
 * upstream on loopback says what may be cached, and each test asserts both what the client got and
 * what the upstream saw (how often it was asked, and with which fields).
 */
class ProxyRfc9111Test extends ProxyHarness {
  /** The suite tests the client's directives too, which a proxy honours only when told to. */
  @Override
  CacheEngine.Builder configure(CacheEngine.Builder builder) {
    return builder.honourClientCacheControl(true);
  }


  /** An upstream answer for {@code body} with a {@code Date} of now and {@code more} fields. */
  Reply ok(String body, String... more) {
    String[] fields = new String[more.length + 2];
    fields[0] = "Date";
    fields[1] = now();
    System.arraycopy(more, 0, fields, 2, more.length);
    return Reply.of(200, body, fields);
  }

  /** §4.2: how long a stored response is fresh. */
  @Nested
  class Freshness {
    @Test
    void maxAge_isFreshForItsLifetime_thenFetchedAgain() throws Exception {
      String path = unique("/fresh/max-age");
      upstream.on(path, r -> ok("v", "Cache-Control", "max-age=60"));
      assertEquals("MISS", xCache(get(path)));
      // the clock runs on between steps and the Date has whole seconds: leave a margin either side
      clock.advance(Duration.ofSeconds(55));
      assertEquals("HIT", xCache(get(path)));
      clock.advance(Duration.ofSeconds(6));
      assertEquals("MISS", xCache(get(path)));
      assertEquals(2, upstream.count(path));
    }

    @Test
    void differentQueries_areDifferentEntries_andTheSameQueryHits() throws Exception {
      String path = unique("/fresh/query");
      upstream.on(path, r -> ok("for " + r.target(), "Cache-Control", "max-age=60"));
      assertEquals("for " + path + "?a=1", get(path + "?a=1").text());
      assertEquals("for " + path + "?a=2", get(path + "?a=2").text());
      assertEquals("for " + path, get(path).text());
      assertEquals("HIT", xCache(get(path + "?a=1")));
      assertEquals("for " + path + "?a=2", get(path + "?a=2").text());
      assertEquals(3, upstream.count(path));
    }

    @Test
    void sMaxage_winsOverMaxAge_inASharedCache() throws Exception {
      String path = unique("/fresh/s-maxage");
      upstream.on(path, r -> ok("v", "Cache-Control", "max-age=1, s-maxage=60"));
      get(path);
      clock.advance(Duration.ofSeconds(30));
      assertEquals("HIT", xCache(get(path)));
      assertEquals(1, upstream.count(path));
    }

    @Test
    void expiresMinusDate_isTheLifetime_withoutMaxAge() throws Exception {
      String path = unique("/fresh/expires");
      upstream.on(path, r -> ok("v", "Expires", at(Duration.ofSeconds(60))));
      get(path);
      clock.advance(Duration.ofSeconds(30));
      assertEquals("HIT", xCache(get(path)));
      clock.advance(Duration.ofSeconds(31));
      assertEquals("MISS", xCache(get(path)));
    }

    @Test
    void anInvalidExpires_meansAlreadyExpired() throws Exception {
      String path = unique("/fresh/expires-invalid");
      upstream.on(path, r -> ok("v", "Expires", "0"));
      get(path);
      assertEquals("MISS", xCache(get(path)));
      assertEquals(2, upstream.count(path));
    }

    @Test
    void lastModified_givesAHeuristicLifetime_toAHeuristicallyCacheableStatus() throws Exception {
      String path = unique("/fresh/heuristic");
      upstream.on(path, r -> ok("v", "Last-Modified", at(Duration.ofDays(-10))));
      get(path);
      clock.advance(Duration.ofHours(12)); // inside 10% of ten days, capped at a day
      assertEquals("HIT", xCache(get(path)));
      assertEquals(1, upstream.count(path));
    }

    @Test
    void noExplicitFreshness_andAStatusNotHeuristicallyCacheable_isNotStored() throws Exception {
      String path = unique("/fresh/302");
      upstream.on(path, r -> Reply.of(302, "", "Date", now(), "Location", "/elsewhere",
          "Last-Modified", at(Duration.ofDays(-10))));
      assertEquals(302, get(path).status());
      get(path);
      assertEquals(2, upstream.count(path));
    }
  }

  /** §4.2.3 and §5.1: a response's age. */
  @Nested
  class Age {
    @Test
    void anAgeFromUpstream_countsAgainstTheLifetime() throws Exception {
      String path = unique("/age/upstream");
      upstream.on(path, r -> ok("v", "Cache-Control", "max-age=60", "Age", "50"));
      get(path);
      clock.advance(Duration.ofSeconds(5));
      RawHttp.Response hit = get(path);
      assertEquals("HIT", xCache(hit));
      assertEquals("55", hit.header("Age").orElseThrow());
      clock.advance(Duration.ofSeconds(6));
      assertEquals("MISS", xCache(get(path)));
    }

    @Test
    void aHit_carriesItsAge_andTheStoredDate() throws Exception {
      String path = unique("/age/date");
      String date = now();
      upstream.on(path, r -> Reply.of(200, "v", "Date", date, "Cache-Control", "max-age=600"));
      get(path);
      clock.advance(Duration.ofSeconds(42));
      RawHttp.Response hit = get(path);
      // the stored Date has whole seconds, so the age it arrived with is up to a second more than the transit
      int age = Integer.parseInt(hit.header("Age").orElseThrow());
      assertTrue(age == 42 || age == 43, "Age " + age);
      assertEquals(date, hit.header("Date").orElseThrow());
    }
  }

  /** §4.3: validating a stored response with the upstream. */
  @Nested
  class Validation {
    @Test
    void aStaleEntry_isValidatedWithItsValidators_andA304FreshensAndUpdatesIt() throws Exception {
      String path = unique("/validate/304");
      AtomicInteger full = new AtomicInteger();
      String lastModified = at(Duration.ofDays(-1));
      upstream.on(path, r -> {
        if (r.header("If-None-Match").orElse("").equals("\"e1\"")) {
          return Reply.of(304, "", "Date", now(), "Cache-Control", "max-age=60", "ETag", "\"e1\"",
              "X-Revision", "2", "Content-Range", "bytes 0-1/2");
        }
        full.incrementAndGet();
        return ok("the body", "Cache-Control", "max-age=10", "ETag", "\"e1\"", "Last-Modified", lastModified,
            "X-Revision", "1", "Content-Type", "text/plain", "Content-Range", "bytes 0-7/8");
      });
      get(path);
      clock.advance(Duration.ofSeconds(11));
      RawHttp.Response refreshed = get(path);
      assertEquals(200, refreshed.status());
      assertEquals("the body", refreshed.text());
      assertEquals("2", refreshed.header("X-Revision").orElseThrow(), "the 304's fields replace the stored ones");
      assertEquals("bytes 0-7/8", refreshed.header("Content-Range").orElseThrow(), "but not the stored bytes' own");
      assertEquals("text/plain", refreshed.header("Content-Type").orElseThrow());
      TestUpstream.Seen validation = upstream.seen(path).get(1);
      assertEquals("\"e1\"", validation.header("If-None-Match").orElseThrow());
      assertEquals(lastModified, validation.header("If-Modified-Since").orElseThrow());
      clock.advance(Duration.ofSeconds(50));
      assertEquals("HIT", xCache(get(path)), "fresh for the 304's own max-age");
      assertEquals(1, full.get());
      assertEquals(2, upstream.count(path));
    }

    @Test
    void aFull200_replacesTheStoredResponse() throws Exception {
      String path = unique("/validate/200");
      AtomicInteger version = new AtomicInteger();
      upstream.on(path, r -> ok("v" + version.incrementAndGet(), "Cache-Control", "max-age=10",
          "ETag", "\"v" + version.get() + "\""));
      get(path);
      clock.advance(Duration.ofSeconds(11));
      assertEquals("v2", get(path).text());
      assertEquals("v2", get(path).text());
      assertEquals(2, upstream.count(path));
    }

    @Test
    void noCache_isStored_butValidatedBeforeEachUse() throws Exception {
      String path = unique("/validate/no-cache");
      upstream.on(path, r -> r.header("If-None-Match").isPresent()
          ? Reply.of(304, "", "Date", now(), "ETag", "\"nc\"")
          : ok("body", "Cache-Control", "no-cache", "ETag", "\"nc\""));
      get(path);
      RawHttp.Response second = get(path);
      assertEquals("body", second.text());
      assertEquals(2, upstream.count(path));
      assertEquals("\"nc\"", upstream.seen(path).get(1).header("If-None-Match").orElseThrow());
    }

    @Test
    void aClientsOwnValidators_areAnsweredFromTheCache() throws Exception {
      String path = unique("/validate/client");
      upstream.on(path, r -> ok("body", "Cache-Control", "max-age=60", "ETag", "\"c1\""));
      get(path);
      RawHttp.Response notModified = get(path, "If-None-Match", "\"c1\"");
      assertEquals(304, notModified.status());
      assertEquals("\"c1\"", notModified.header("ETag").orElseThrow());
      assertEquals(200, get(path, "If-None-Match", "\"other\"").status());
      assertEquals(1, upstream.count(path));
    }
  }

  /** §4.1: responses that vary on request fields. */
  @Nested
  class Vary {
    @Test
    void oneVariantIsStoredPerValueOfTheVariedField() throws Exception {
      String path = unique("/vary/lang");
      upstream.on(path, r -> ok("lang=" + r.header("Accept-Language").orElse("none"), "Cache-Control",
          "max-age=60", "Vary", "Accept-Language"));
      assertEquals("lang=en", get(path, "Accept-Language", "en").text());
      assertEquals("lang=de", get(path, "Accept-Language", "de").text());
      assertEquals("lang=none", get(path).text());
      RawHttp.Response en = get(path, "Accept-Language", "en");
      assertEquals("HIT", xCache(en));
      assertEquals("lang=en", en.text());
      assertEquals("lang=de", get(path, "Accept-Language", "de").text());
      assertEquals("lang=none", get(path).text());
      assertEquals(3, upstream.count(path));
    }

    @Test
    void varyStar_neverMatches() throws Exception {
      String path = unique("/vary/star");
      upstream.on(path, r -> ok("v", "Cache-Control", "max-age=60", "Vary", "*"));
      get(path);
      assertEquals("MISS", xCache(get(path)));
      assertEquals(2, upstream.count(path));
    }
  }

  /** §3: what may be stored. */
  @Nested
  class Storing {
    @Test
    void noStorePrivateAndSetCookie_areNeverStored() throws Exception {
      String[][] cases = {{"Cache-Control", "no-store, max-age=60"}, {"Cache-Control", "private, max-age=60"},
          {"Set-Cookie", "s=1"}};
      for (String[] field : cases) {
        String path = unique("/store/never");
        upstream.on(path, r -> ok("v", "Cache-Control", "max-age=60", field[0], field[1]));
        get(path);
        assertEquals("MISS", xCache(get(path)), String.join(": ", field));
        assertEquals(2, upstream.count(path), String.join(": ", field));
      }
    }

    @Test
    void aNotFoundWithExplicitFreshness_isStored_butAServerErrorIsNot() throws Exception {
      String missing = unique("/store/404");
      upstream.on(missing, r -> Reply.of(404, "gone", "Date", now(), "Cache-Control", "max-age=60"));
      get(missing);
      assertEquals("HIT", xCache(get(missing)));
      String broken = unique("/store/500");
      upstream.on(broken, r -> Reply.of(500, "oops", "Date", now(), "Cache-Control", "max-age=60"));
      get(broken);
      assertEquals(500, get(broken).status());
      assertEquals(2, upstream.count(broken));
    }

    @Test
    void anyOtherFinalStatus_isStored_whenTheUpstreamGivesItExplicitFreshness() throws Exception {
      for (int status : new int[] {302, 307, 400, 299}) {
        String path = unique("/store/status-" + status);
        upstream.on(path, r -> Reply.of(status, "s" + status, "Date", now(), "Cache-Control", "max-age=60",
            "Location", "/elsewhere"));
        assertEquals(status, get(path).status());
        RawHttp.Response hit = get(path);
        assertEquals(status, hit.status());
        assertEquals("HIT", xCache(hit), "status " + status);
        clock.advance(Duration.ofSeconds(61));
        assertEquals("MISS", xCache(get(path)), "a stale " + status + " is never reused");
      }
      String error = unique("/store/status-503");
      upstream.on(error, r -> Reply.of(503, "busy", "Date", now(), "Cache-Control", "max-age=60"));
      get(error);
      assertEquals("MISS", xCache(get(error)), "server errors are never stored");
    }

    /** RFC 9110 §14: one byte range is cut from a stored complete response; the upstream sends the whole once. */
    @Test
    void aRangeRequest_isAnsweredFromTheStoredWhole_andA206IsNeverStored() throws Exception {
      String path = unique("/store/range");
      upstream.on(path, r -> r.header("Range").isPresent()
          ? Reply.of(206, "par", "Date", now(), "Cache-Control", "max-age=60", "Content-Range", "bytes 0-2/10")
          : ok("0123456789", "Cache-Control", "max-age=60"));
      RawHttp.Response partial = get(path, "Range", "bytes=0-2");
      assertEquals(206, partial.status());
      assertEquals("012", partial.text());
      assertEquals("bytes 0-2/10", partial.header("Content-Range").orElseThrow());
      assertTrue(upstream.seen(path).get(0).header("Range").isEmpty(), "the upstream was asked for the whole");
      RawHttp.Response tail = get(path, "Range", "bytes=-4");
      assertEquals(206, tail.status());
      assertEquals("HIT", xCache(tail));
      assertEquals("6789", tail.text());
      assertEquals("0123456789", get(path).text());
      assertEquals(1, upstream.count(path));

      String several = unique("/store/ranges");
      upstream.on(several, r -> r.header("Range").isPresent()
          ? Reply.of(206, "par", "Date", now(), "Cache-Control", "max-age=60", "Content-Range", "bytes 0-2/10")
          : ok("0123456789", "Cache-Control", "max-age=60"));
      RawHttp.Response forwarded = get(several, "Range", "bytes=0-2,5-6");
      assertEquals("par", forwarded.text(), "several ranges go to the upstream as sent");
      assertEquals("MISS", xCache(get(several)), "and its 206 was not stored as the whole");
    }

    @Test
    void fieldsNamedByConnection_areNeitherStoredNorSentOn() throws Exception {
      String path = unique("/store/connection");
      upstream.on(path, r -> ok("v", "Cache-Control", "max-age=60", "Connection", "X-Hop", "X-Hop", "secret",
          "Keep-Alive", "timeout=5"));
      RawHttp.Response miss = get(path);
      RawHttp.Response hit = get(path);
      for (RawHttp.Response r : new RawHttp.Response[] {miss, hit}) {
        assertTrue(r.header("X-Hop").isEmpty(), xCache(r));
        assertTrue(r.header("Keep-Alive").isEmpty(), xCache(r));
      }
      assertEquals("HIT", xCache(hit));
    }

    @Test
    void fieldsNamedByAQualifiedNoCache_areNotStored_andTheRestIsReused() throws Exception {
      String path = unique("/store/no-cache-fields");
      upstream.on(path, r -> ok("v", "Cache-Control", "no-cache=\"a, b\"", "a", "1", "b", "2", "c", "3",
          "Cache-Control", "max-age=3600"));
      get(path);
      RawHttp.Response hit = get(path);
      assertEquals("HIT", xCache(hit));
      assertEquals("3", hit.header("c").orElseThrow());
      assertTrue(hit.header("a").isEmpty(), hit.headers("a").toString());
      assertTrue(hit.header("b").isEmpty(), hit.headers("b").toString());
    }

    @Test
    void aMaxAgeBeyond2To31_isReadAs2To31_andAnInvalidOneAsStale() throws Exception {
      String huge = unique("/store/huge-max-age");
      upstream.on(huge, r -> ok("v", "Cache-Control", "max-age=99999999999"));
      get(huge);
      assertEquals("HIT", xCache(get(huge)));
      String quoted = unique("/store/single-quoted");
      upstream.on(quoted, r -> ok("v", "Cache-Control", "max-age='3600'", "Last-Modified", at(Duration.ofDays(-30))));
      get(quoted);
      assertEquals("MISS", xCache(get(quoted)));
    }

    @Test
    void aRequestWithAuthorization_isForwardedUncached() throws Exception {
      String path = unique("/store/auth");
      upstream.on(path, r -> ok("for " + r.header("Authorization").orElse("?"), "Cache-Control",
          "public, max-age=60"));
      assertEquals("for Bearer a", get(path, "Authorization", "Bearer a").text());
      assertEquals("for Bearer b", get(path, "Authorization", "Bearer b").text());
      assertEquals(2, upstream.count(path));
    }
  }

  /** §5.2.1: what the client's own {@code Cache-Control} asks for. */
  @Nested
  class RequestDirectives {
    @Test
    void onlyIfCached_withNothingStored_is504_withoutAskingUpstream() throws Exception {
      String path = unique("/req/only-if-cached");
      upstream.on(path, r -> ok("v", "Cache-Control", "max-age=60"));
      assertEquals(504, get(path, "Cache-Control", "only-if-cached").status());
      assertEquals(0, upstream.count(path));
      get(path);
      assertEquals(200, get(path, "Cache-Control", "only-if-cached").status());
      assertEquals(1, upstream.count(path));
    }

    @Test
    void maxAgeZero_andNoCache_goToUpstream() throws Exception {
      String path = unique("/req/no-cache");
      upstream.on(path, r -> ok("v", "Cache-Control", "max-age=60"));
      get(path);
      get(path, "Cache-Control", "max-age=0");
      get(path, "Cache-Control", "no-cache");
      get(path, "Pragma", "no-cache");
      assertEquals(4, upstream.count(path));
    }

    @Test
    void maxStale_acceptsAStaleResponse_andMinFreshRefusesAnAgingOne() throws Exception {
      String path = unique("/req/max-stale");
      upstream.on(path, r -> ok("v", "Cache-Control", "max-age=10"));
      get(path);
      clock.advance(Duration.ofSeconds(8));
      get(path, "Cache-Control", "min-fresh=5");
      assertEquals(2, upstream.count(path), "fresh for 2 more seconds only: not fresh enough");
      clock.advance(Duration.ofSeconds(15));
      RawHttp.Response stale = get(path, "Cache-Control", "max-stale=60");
      assertEquals(200, stale.status());
      assertEquals("STALE", xCache(stale), "max-stale accepted the stale copy (and a background refresh may start)");
    }

    @Test
    void noStore_isForwarded_andNothingIsStored() throws Exception {
      String path = unique("/req/no-store");
      upstream.on(path, r -> ok("v", "Cache-Control", "max-age=60"));
      get(path, "Cache-Control", "no-store");
      assertEquals("MISS", xCache(get(path)));
      assertEquals(2, upstream.count(path));
    }
  }

  /** §4.2.4 and RFC 5861: serving stale responses. */
  @Nested
  class Stale {
    @Test
    void staleWhileRevalidate_servesStale_andRefreshesInTheBackground() throws Exception {
      String path = unique("/stale/swr");
      AtomicInteger version = new AtomicInteger();
      upstream.on(path, r -> ok("v" + version.incrementAndGet(), "Cache-Control",
          "max-age=1, stale-while-revalidate=60"));
      get(path);
      clock.advance(Duration.ofSeconds(5));
      RawHttp.Response stale = get(path);
      assertEquals("STALE", xCache(stale));
      assertEquals("v1", stale.text());
      await("() -> upstream.count(path) == 2").atMost(Duration.ofSeconds(60)).until(() -> upstream.count(path) == 2);
      await("() -> get(path).text().equals(\"v2\")")
          .atMost(Duration.ofSeconds(60)).until(() -> get(path).text().equals("v2"));
    }

    @Test
    void staleIfError_servesStale_whenUpstreamFails() throws Exception {
      String path = unique("/stale/sie");
      AtomicInteger calls = new AtomicInteger();
      upstream.on(path, r -> calls.incrementAndGet() == 1
          ? ok("good", "Cache-Control", "max-age=1, stale-if-error=600")
          : Reply.of(503, "down", "Date", now()));
      get(path);
      clock.advance(Duration.ofSeconds(5));
      RawHttp.Response r = get(path);
      assertEquals(200, r.status());
      assertEquals("good", r.text());
    }

    @Test
    void mustRevalidate_neverServesStale_evenWhenUpstreamFails() throws Exception {
      String path = unique("/stale/must-revalidate");
      AtomicInteger calls = new AtomicInteger();
      upstream.on(path, r -> calls.incrementAndGet() == 1
          ? ok("good", "Cache-Control", "max-age=1, must-revalidate, stale-if-error=600")
          : Reply.of(503, "down", "Date", now()));
      get(path);
      clock.advance(Duration.ofSeconds(5));
      assertEquals(503, get(path, "Cache-Control", "max-stale=600").status());
    }

    @Test
    void anUnreachableUpstream_is502_orAStaleCopyWhereAllowed() throws Exception {
      String path = unique("/stale/hang-up");
      AtomicInteger calls = new AtomicInteger();
      upstream.on(path, r -> calls.incrementAndGet() == 1
          ? ok("kept", "Cache-Control", "max-age=1, stale-if-error=600")
          : Reply.hangUp());
      get(path);
      clock.advance(Duration.ofSeconds(5));
      assertEquals("kept", get(path).text());
      String fresh = unique("/stale/hang-up-nothing-stored");
      upstream.on(fresh, r -> Reply.hangUp());
      assertEquals(502, get(fresh).status());

      // §4.2.4: cut off from the upstream, a stale copy may be served without stale-if-error...
      String plain = unique("/stale/hang-up-plain");
      String strict = unique("/stale/hang-up-must-revalidate");
      AtomicInteger plainCalls = new AtomicInteger();
      AtomicInteger strictCalls = new AtomicInteger();
      upstream.on(plain, r -> plainCalls.incrementAndGet() == 1 ? ok("plain", "Cache-Control", "max-age=1")
          : Reply.hangUp());
      upstream.on(strict, r -> strictCalls.incrementAndGet() == 1
          ? ok("strict", "Cache-Control", "max-age=1, must-revalidate") : Reply.hangUp());
      get(plain);
      get(strict);
      clock.advance(Duration.ofSeconds(5));
      RawHttp.Response stale = get(plain);
      assertEquals("plain", stale.text());
      assertEquals("STALE", xCache(stale));
      assertEquals(502, get(strict).status(), "...but never one the upstream marked must-revalidate");
    }
  }

  /** §4.4: unsafe requests invalidate. */
  @Nested
  class Invalidation {
    @Test
    void aSuccessfulUnsafeRequest_invalidatesItsTarget_andSameOriginLocation() throws Exception {
      String path = unique("/inval/item");
      String other = unique("/inval/other");
      for (String p : new String[] {path, other}) {
        AtomicInteger version = new AtomicInteger();
        upstream.on(p, r -> r.method().equals("GET") ? ok("v" + version.incrementAndGet(), "Cache-Control",
            "max-age=600") : Reply.of(201, "", "Date", now(), "Location", other));
        get(p);
      }
      RawHttp.Response posted = send("POST", path, "{\"name\":\"x\"}", "Content-Type", "application/json");
      assertEquals(201, posted.status());
      assertEquals("{\"name\":\"x\"}", new String(upstream.seen(path).get(1).body()), "the body reached upstream");
      assertEquals("v2", get(path).text());
      assertEquals("v2", get(other).text(), "the Location was invalidated too");
    }

    @Test
    void anUnknownMethod_isUnsafe_andInvalidatesToo() throws Exception {
      String path = unique("/inval/m-search");
      AtomicInteger version = new AtomicInteger();
      upstream.on(path, r -> r.method().equals("GET")
          ? ok("v" + version.incrementAndGet(), "Cache-Control", "max-age=600") : Reply.of(200, "", "Date", now()));
      get(path);
      assertEquals(200, send("M-SEARCH", path, "abc").status());
      assertEquals("M-SEARCH", upstream.seen(path).get(1).method());
      assertEquals("v2", get(path).text());
    }

    @Test
    void aFailedUnsafeRequest_invalidatesNothing() throws Exception {
      String path = unique("/inval/failed");
      upstream.on(path, r -> r.method().equals("GET") ? ok("v", "Cache-Control", "max-age=600")
          : Reply.of(500, "no", "Date", now()));
      get(path);
      send("DELETE", path, null);
      assertEquals("HIT", xCache(get(path)));
    }

    @Test
    void anUnsafeRequest_isSentOnce_evenWhenUpstreamHangsUp() throws Exception {
      String path = unique("/inval/once");
      upstream.on(path, r -> Reply.hangUp());
      assertEquals(502, send("POST", path, "x").status());
      assertEquals(1, upstream.count(path));
    }
  }

  /** RFC 9110 §7.6: what a proxy does to the fields it forwards. */
  @Nested
  class ForwardedFields {
    @Test
    void perHopRequestFields_areDropped_andViaAndForwardedAreAdded() throws Exception {
      String path = unique("/fields/request");
      upstream.on(path, r -> ok("v"));
      get(path, "Connection", "X-Hop", "X-Hop", "secret", "Keep-Alive", "timeout=5", "TE", "trailers",
          "Proxy-Connection", "keep-alive", "X-Kept", "a  b", "Via", "1.1 edge");
      TestUpstream.Seen seen = upstream.seen(path).get(0);
      for (String dropped : new String[] {"X-Hop", "Keep-Alive", "TE", "Proxy-Connection"}) {
        assertTrue(seen.header(dropped).isEmpty(), dropped);
      }
      assertEquals("a  b", seen.header("X-Kept").orElseThrow(), "an end-to-end field arrives unchanged");
      assertEquals("1.1 edge, 1.1 apicache", String.join(", ", seen.all("Via")));
      assertEquals("127.0.0.1", seen.header("X-Forwarded-For").orElseThrow());
      assertEquals(proxy.address().getHost() + ":" + proxy.port(), seen.header("X-Forwarded-Host").orElseThrow());
      assertEquals(proxy.address().getHost() + ":" + proxy.port(), seen.header("Host").orElseThrow(),
          "the client's Host goes on unchanged");
    }

    @Test
    void responses_carryVia_andKeepTheUpstreamsEndToEndFields() throws Exception {
      String path = unique("/fields/response");
      upstream.on(path, r -> ok("v", "X-Custom", "kept", "Cache-Control", "max-age=60"));
      RawHttp.Response r = get(path);
      assertEquals("kept", r.header("X-Custom").orElseThrow());
      assertTrue(r.headers("Via").contains("1.1 apicache"), r.headers("Via").toString());
    }

    @Test
    void everyMethod_andItsBody_reachUpstream() throws Exception {
      String path = unique("/fields/methods");
      upstream.on(path, r -> Reply.of(200, r.method() + ":" + new String(r.body()), "Date", now()));
      for (String method : new String[] {"PUT", "PATCH", "DELETE", "OPTIONS", "POST"}) {
        RawHttp.Response r = send(method, path, "payload-" + method);
        assertEquals(method + ":payload-" + method, r.text());
      }
      assertEquals(5, upstream.count(path));
    }

    @Test
    void aLargeBody_isStreamedBothWays_andNotStored() throws Exception {
      String path = unique("/fields/large");
      String big = "x".repeat(3 * 1024 * 1024);
      upstream.on(path, r -> ok(r.method().equals("PUT") ? "got " + r.body().length : big,
          "Cache-Control", "max-age=60"));
      assertEquals("got " + big.length(), send("PUT", path, big).text());
      RawHttp.Response first = get(path);
      assertEquals(big.length(), first.body().length);
      assertFalse(xCache(get(path)).equals("HIT"), "larger than the policy's body limit: never stored");
    }

    @Test
    void aHead_isAnsweredFromTheStoredGet() throws Exception {
      String path = unique("/fields/head");
      upstream.on(path, r -> ok("twelve bytes", "Cache-Control", "max-age=60"));
      get(path);
      RawHttp.Response head = send("HEAD", path, null);
      assertEquals(200, head.status());
      assertEquals("12", head.header("Content-Length").orElseThrow());
      assertEquals("HIT", xCache(head));
      assertEquals(1, upstream.count(path));
    }
  }
}
