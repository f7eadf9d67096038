package dev.apicache;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.longs;

import dev.apicache.http.EntityTag;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The cache decision as a table: no store, no origin, no clock, no threads. */
class CacheDecisionTest {
  private static final EntityTag TAG = EntityTag.parse("\"v1\"");
  private static final String MODIFIED = "Tue, 01 Dec 2026 08:00:00 GMT";

  /** Stored at 0 with ttl 60 s, stale-while-revalidate 30 s, stale-if-error 600 s. */
  private static StoredEntry entry(int status) {
    return new StoredEntry(status, Headers.of("Last-Modified", MODIFIED), Bytes.utf8("body"), TAG, 0, 60_000, 30_000,
        600_000, List.of());
  }

  private static CacheDecision decide(long now, String... requestHeaders) {
    return CacheDecision.decide(Headers.of(requestHeaders), Optional.of(entry(200)), now);
  }

  @Test
  void theTable() {
    StoredEntry e = entry(200);
    Object[][] rows = {
        // now (ms), request validators, expected decision
        {0L, new String[] {}, new CacheDecision.Hit(e)},
        {59_999L, new String[] {}, new CacheDecision.Hit(e)},
        {10L, new String[] {"If-None-Match", "\"v1\""}, new CacheDecision.NotModified(e, false)},
        {10L, new String[] {"If-None-Match", "W/\"v1\""}, new CacheDecision.NotModified(e, false)},
        {10L, new String[] {"If-None-Match", "*"}, new CacheDecision.NotModified(e, false)},
        {10L, new String[] {"If-None-Match", "\"other\""}, new CacheDecision.Hit(e)},
        {10L, new String[] {"If-None-Match", "garbage"}, new CacheDecision.Hit(e)},
        {10L, new String[] {"If-Modified-Since", MODIFIED}, new CacheDecision.NotModified(e, false)},
        {10L, new String[] {"If-Modified-Since", "Tue, 01 Dec 2026 07:59:59 GMT"}, new CacheDecision.Hit(e)},
        {10L, new String[] {"If-None-Match", "\"other\"", "If-Modified-Since", MODIFIED}, new CacheDecision.Hit(e)},
        {60_000L, new String[] {}, new CacheDecision.ServeStale(e)},
        {89_999L, new String[] {"If-None-Match", "\"v1\""}, new CacheDecision.NotModified(e, true)},
        {90_000L, new String[] {}, new CacheDecision.Fetch(Optional.of(e), CacheDecision.Forward.STALE)},
        {90_000L, new String[] {"If-None-Match", "\"v1\""}, new CacheDecision.Fetch(Optional.of(e),
            CacheDecision.Forward.STALE)},
        {659_999L, new String[] {}, new CacheDecision.Fetch(Optional.of(e), CacheDecision.Forward.STALE)},
        {660_000L, new String[] {}, new CacheDecision.Fetch(Optional.empty(), CacheDecision.Forward.STALE)},
        {-5_000L, new String[] {}, new CacheDecision.Hit(e)}, // a clock stepped back counts as age 0
    };
    for (Object[] row : rows) {
      assertEquals(row[2], decide((Long) row[0], (String[]) row[1]), () -> "at " + row[0] + " with "
          + List.of((String[]) row[1]));
    }
  }

  private static CacheDecision withDirectives(long now, String cacheControl) {
    Headers h = Headers.of("Cache-Control", cacheControl);
    return CacheDecision.decide(h, Optional.of(entry(200)), now, RequestDirectives.of(h));
  }

  @Test
  void theRequestDirectivesTable() {
    StoredEntry e = entry(200);
    CacheDecision.Fetch refetch = new CacheDecision.Fetch(Optional.of(e), CacheDecision.Forward.STALE);
    CacheDecision.Fetch refetchNoFallback = new CacheDecision.Fetch(Optional.empty(), CacheDecision.Forward.STALE);
    Object[][] rows = {
        // now (ms), request Cache-Control, expected decision
        {10_000L, "max-age=20", new CacheDecision.Hit(e)},
        {10_000L, "max-age=5", refetch},                    // too old for this client; stale-if-error kept
        {10_000L, "max-age=0", refetch},
        {10_000L, "min-fresh=40", new CacheDecision.Hit(e)},   // 50 s left
        {10_000L, "min-fresh=55", refetch},                 // only 50 s left
        {70_000L, "max-age=60", refetch},                   // stale and older than the client allows
        {70_000L, "max-stale", new CacheDecision.ServeStale(e)},
        {100_000L, "max-stale=60", new CacheDecision.ServeStale(e)},  // past swr, 40 s stale, within 60
        {100_000L, "max-stale=30", refetch},                          // 40 s stale is too much
        {700_000L, "max-stale", new CacheDecision.ServeStale(e)},     // any staleness
        {700_000L, "max-stale=30", refetchNoFallback},
        {10L, "no-cache", refetchNoFallback},
        {10L, "max-age=abc", new CacheDecision.Hit(e)},         // a malformed argument is no directive
        {10L, "only-if-cached", new CacheDecision.Hit(e)},      // the engine answers 504 only on a Fetch
    };
    for (Object[] row : rows) {
      assertEquals(row[2], withDirectives((Long) row[0], (String) row[1]), () -> "at " + row[0] + " with " + row[1]);
    }
    assertEquals(RequestDirectives.NONE, RequestDirectives.of(Headers.empty()));
    assertTrue(RequestDirectives.of(Headers.of("Pragma", "no-cache")).noCache(), "Pragma without Cache-Control");
    assertEquals(RequestDirectives.of(Headers.of("Cache-Control", "max-age=5")),
        RequestDirectives.of(Headers.of("Cache-Control", "max-age=5", "Pragma", "no-cache")),
        "Cache-Control wins over Pragma");
  }

  @Test
  void nothingStored_isAMiss() {
    assertEquals(new CacheDecision.Fetch(Optional.empty(), CacheDecision.Forward.MISS),
        CacheDecision.decide(Headers.of("If-None-Match", "*"), Optional.empty(), 0));
  }

  @Test
  void onlyAStored200_answers304() {
    for (int status : new int[] {203, 204, 301}) {
      assertEquals(new CacheDecision.Hit(entry(status)), CacheDecision.decide(Headers.of("If-None-Match", "*"),
          Optional.of(entry(status)), 10));
    }
  }

  /** How far along the state machine a decision is: never smaller for a later time. */
  private static int stage(CacheDecision d) {
    if (d instanceof CacheDecision.Hit || (d instanceof CacheDecision.NotModified n && !n.revalidate())) {
      return 0;
    }
    if (d instanceof CacheDecision.ServeStale || d instanceof CacheDecision.NotModified) {
      return 1;
    }
    return ((CacheDecision.Fetch) d).fallback().isPresent() ? 2 : 3;
  }

  @Test
  void theDecisionIsMonotonicInTime() {
    qt().withExamples(3000).forAll(longs().between(-10_000, 800_000), longs().between(0, 800_000))
        .checkAssert((now, later) -> {
          for (String[] validators : List.of(new String[] {}, new String[] {"If-None-Match", "\"v1\""})) {
            assertTrue(stage(decide(now, validators)) <= stage(decide(now + later, validators)),
                () -> now + " then " + (now + later));
          }
        });
  }
}
