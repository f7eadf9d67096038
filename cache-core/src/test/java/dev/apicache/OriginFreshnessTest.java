package dev.apicache;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.apicache.http.CacheControl;
import dev.apicache.http.HttpDate;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.quicktheories.QuickTheory;
import org.quicktheories.generators.SourceDSL;

/** RFC 9111 §4.2 freshness as a table: headers in, lifetime, age and stale windows out. */
class OriginFreshnessTest {
  /** The response arrived at T, asked for at T - 200 ms. */
  private static final long T = Instant.parse("2026-12-01T12:00:00Z").toEpochMilli();
  private static final String DATE = HttpDate.format(T);

  private static Optional<OriginFreshness> of(int status, String... headers) {
    return OriginFreshness.of(status, Headers.of(headers), T - 200, T, CachePolicy.OriginLimits.none());
  }

  private static OriginFreshness fresh(String... headers) {
    return of(200, headers).orElseThrow();
  }

  @Test
  void lifetime_sMaxageOverMaxAgeOverExpires() {
    assertEquals(Duration.ofSeconds(30), fresh("Cache-Control", "max-age=60, s-maxage=30", "Date", DATE,
        "Expires", HttpDate.format(T + 900_000)).lifetime());
    assertEquals(Duration.ofSeconds(60), fresh("Cache-Control", "max-age=60", "Date", DATE,
        "Expires", HttpDate.format(T + 900_000)).lifetime());
    assertEquals(Duration.ofSeconds(900), fresh("Date", DATE, "Expires", HttpDate.format(T + 900_000)).lifetime());
  }

  @Test
  void expires_isCountedFromTheOriginsDate_andAnInvalidOneIsAlreadyStale() {
    // the origin's clock is 10 minutes behind ours: Expires - Date still gives its 5 minutes
    String behind = HttpDate.format(T - 600_000);
    assertEquals(Duration.ofMinutes(5), fresh("Date", behind, "Expires", HttpDate.format(T - 300_000)).lifetime());
    assertEquals(Duration.ZERO, fresh("Date", DATE, "Expires", "0").lifetime());
    assertEquals(Duration.ZERO, fresh("Date", DATE, "Expires", HttpDate.format(T - 1000)).lifetime());
  }

  @Test
  void heuristic_isATenthOfTheLastModifiedAge_cappedAndOnlyForCacheableStatuses() {
    String tenDaysOld = HttpDate.format(T - Duration.ofDays(10).toMillis());
    String oneHourOld = HttpDate.format(T - Duration.ofHours(1).toMillis());
    OriginFreshness h = fresh("Date", DATE, "Last-Modified", oneHourOld);
    assertEquals(Duration.ofMinutes(6), h.lifetime());
    assertTrue(h.isHeuristic());
    assertEquals(Duration.ofDays(1), fresh("Date", DATE, "Last-Modified", tenDaysOld).lifetime(), "capped");
    assertEquals(Duration.ofMinutes(6), of(404, "Date", DATE, "Last-Modified", oneHourOld).orElseThrow().lifetime());
    assertTrue(of(302, "Date", DATE, "Last-Modified", oneHourOld).isEmpty(), "302 needs an explicit lifetime");
    assertTrue(of(302, "Cache-Control", "public", "Date", DATE).isPresent(), "public makes it storable");
    assertEquals(Duration.ZERO, fresh("Date", DATE).lifetime(), "no Last-Modified: stored, but stale at once");
  }

  @Test
  void neverStored_noStoreAndPrivate() {
    assertTrue(of(200, "Cache-Control", "max-age=60, no-store").isEmpty());
    assertTrue(of(200, "Cache-Control", "private, max-age=60").isEmpty());
    assertTrue(of(200, "Cache-Control", "private=\"Set-Cookie\", max-age=60").isEmpty());
  }

  @Test
  void age_isTheLargerOfTheApparentAgeAndTheAgeHeaderPlusTheRoundTrip() {
    // Date 5 s before arrival: apparent age 5 s; Age 2 s + 200 ms round trip: 2.2 s
    assertEquals(Duration.ofSeconds(5), fresh("Cache-Control", "max-age=60", "Date",
        HttpDate.format(T - 5000), "Age", "2").initialAge());
    // an upstream cache held it 30 s
    assertEquals(Duration.ofMillis(30_200), fresh("Cache-Control", "max-age=60", "Date", DATE, "Age", "30")
        .initialAge());
    // a Date in the future is no negative age; a broken Age counts as none
    assertEquals(Duration.ofMillis(200), fresh("Cache-Control", "max-age=60", "Date",
        HttpDate.format(T + 60_000), "Age", "x").initialAge());
  }

  @Test
  void staleWindows_comeFromTheResponse_andRevalidationDirectivesForbidThem() {
    OriginFreshness granted = fresh("Cache-Control", "max-age=60, stale-while-revalidate=30, stale-if-error=600");
    assertEquals(Duration.ofSeconds(30), granted.staleWhileRevalidate());
    assertEquals(Duration.ofMinutes(10), granted.staleIfError());
    for (String forbid : new String[] {"must-revalidate", "proxy-revalidate", "no-cache"}) {
      OriginFreshness f = fresh("Cache-Control", "max-age=60, stale-while-revalidate=30, stale-if-error=600, " + forbid);
      assertEquals(Duration.ZERO, f.staleWhileRevalidate(), forbid);
      assertEquals(Duration.ZERO, f.staleIfError(), forbid);
    }
    assertEquals(Duration.ofSeconds(30), fresh("Cache-Control", "s-maxage=60, stale-while-revalidate=30")
        .staleWhileRevalidate(), "an explicit grant beside s-maxage is honoured");
  }

  @Test
  void noCache_isStoredButNeverFresh() {
    OriginFreshness f = fresh("Cache-Control", "no-cache, max-age=600");
    assertEquals(Duration.ZERO, f.lifetime());
    assertFalse(f.isFresh(T, T));
  }

  @Test
  void aQualifiedNoCache_namesFieldsOnly_andLeavesTheResponseFresh() {
    OriginFreshness f = fresh("Cache-Control", "no-cache=\"Set-Cookie2, X-Secret\"", "Cache-Control", "max-age=600");
    assertEquals(Duration.ofSeconds(600), f.lifetime());
  }

  @Test
  void anInvalidMaxAgeOrSMaxage_isStale_neverAHeuristic() {
    String lastModified = HttpDate.format(T - Duration.ofDays(10).toMillis());
    for (String cc : new String[] {"max-age='3600'", "max-age=-1", "max-age=3600a", "s-maxage=x, max-age=600"}) {
      OriginFreshness f = fresh("Date", DATE, "Cache-Control", cc, "Last-Modified", lastModified);
      assertEquals(Duration.ZERO, f.lifetime(), cc);
      assertFalse(f.isHeuristic(), cc);
    }
  }

  @Test
  void aListValuedAge_countsByItsFirstMember_andAnInvalidOneIsIgnored() {
    assertEquals(Duration.ofSeconds(7200), fresh("Date", DATE, "Cache-Control", "max-age=3600", "Age", "7200, 0")
        .initialAge().truncatedTo(ChronoUnit.SECONDS));
    for (String age : new String[] {"abc", "-7200", "7200.0"}) {
      assertTrue(fresh("Date", DATE, "Cache-Control", "max-age=3600", "Age", age).isFresh(T, T), age);
    }
  }

  @Test
  void deltaSeconds_largerThan2To31_readAs2To31() {
    CachePolicy.OriginLimits century = new CachePolicy.OriginLimits(Duration.ZERO, Duration.ofDays(36_500),
        Duration.ofDays(1));
    assertEquals(Duration.ofSeconds(2_147_483_648L), OriginFreshness.of(200,
        Headers.of("Cache-Control", "max-age=99999999999999999999999"), T, T, century).orElseThrow().lifetime());
    assertEquals(2_147_483_648L, CacheControl.deltaSeconds("2147483649").getAsLong());
    assertEquals(3600, CacheControl.deltaSeconds("003600").getAsLong());
    assertTrue(CacheControl.deltaSeconds("3600.0").isEmpty());
  }

  @Test
  void policyBounds_floorAndCapWhatTheOriginSays_butNotNoCache() {
    CachePolicy.OriginLimits limits = new CachePolicy.OriginLimits(Duration.ofSeconds(10), Duration.ofMinutes(5),
        Duration.ofDays(1));
    assertEquals(Duration.ofMinutes(5), OriginFreshness.of(200, Headers.of("Cache-Control", "max-age=86400"),
        T, T, limits).orElseThrow().lifetime());
    assertEquals(Duration.ofSeconds(10), OriginFreshness.of(200, Headers.of("Cache-Control", "max-age=1"),
        T, T, limits).orElseThrow().lifetime());
    assertEquals(Duration.ZERO, OriginFreshness.of(200, Headers.of("Cache-Control", "no-cache"), T, T, limits)
        .orElseThrow().lifetime());
    assertThrows(IllegalArgumentException.class, () -> new CachePolicy.OriginLimits(Duration.ofMinutes(5),
        Duration.ofSeconds(1), Duration.ZERO));
  }

  @Test
  void freshness_endsExactlyWhenTheAgeReachesTheLifetime() {
    QuickTheory.qt().forAll(SourceDSL.longs().between(0, 3600), SourceDSL.longs().between(0, 120),
        SourceDSL.longs().between(0, 7200_000)).checkAssert((maxAge, age, elapsed) -> {
          OriginFreshness f = OriginFreshness.of(200, Headers.of("Cache-Control", "max-age=" + maxAge, "Date",
              DATE, "Age", Long.toString(age)), T, T, CachePolicy.OriginLimits.none()).orElseThrow();
          assertEquals(age * 1000 + elapsed < maxAge * 1000, f.isFresh(T, T + elapsed), f + " after " + elapsed);
        });
  }
}
