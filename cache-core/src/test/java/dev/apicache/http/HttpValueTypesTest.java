package dev.apicache.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.apicache.BypassReason;
import dev.apicache.Headers;
import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.quicktheories.QuickTheory;
import org.quicktheories.core.Gen;
import org.quicktheories.generators.SourceDSL;

/** {@link CacheControl} and {@link CacheStatus}: parsed once, written back as they were read. */
class HttpValueTypesTest {

  @Test
  void cacheControl_readsDirectivesAcrossLinesCaseInsensitively() {
    CacheControl cc = CacheControl.parse(List.of("Max-Age=60, PRIVATE=\"Set-Cookie, X-A\"", "no-store,  s-maxage=5"));
    assertEquals(OptionalLong.of(60), cc.maxAge());
    assertEquals(OptionalLong.of(5), cc.sharedMaxAge());
    assertTrue(cc.isPrivate());
    assertTrue(cc.isNoStore());
    assertFalse(cc.isNoCache());
    assertEquals(Optional.of("Set-Cookie, X-A"), cc.argument("private"), "a quoted comma is not a separator");
    assertEquals(List.of("max-age", "private", "no-store", "s-maxage"), cc.names());
  }

  @Test
  void cacheControl_isLenientAboutMalformedMembers() {
    CacheControl cc = CacheControl.parse(List.of(",,max-age=abc, max-age=7, =x, \"q\", no-cache"));
    assertEquals(OptionalLong.empty(), cc.maxAge(), "the first max-age wins, and it is not a number");
    assertTrue(cc.isNoCache());
    assertFalse(cc.has("q"));
    assertEquals(CacheControl.parse(List.of()), Headers.empty().cacheControl());
  }

  @Test
  void cacheControl_substringsAreNotDirectives() {
    assertFalse(CacheControl.parse(List.of("x-not-private, public")).isPrivate());
    assertFalse(CacheControl.parse(List.of("no-storehouse")).isNoStore());
  }

  @Test
  void cacheControl_roundTripsThroughItsFieldValue() {
    Gen<String> names = SourceDSL.arbitrary().pick(List.of("max-age", "no-cache", "private", "x-ext", "s-maxage"));
    Gen<String> args = SourceDSL.arbitrary().pick(List.of("", "0", "60", "a b", "q\"uote", "Set-Cookie, X"));
    QuickTheory.qt().forAll(names, args, names, args).checkAssert((n1, a1, n2, a2) -> {
      String field = n1 + (a1.isEmpty() ? "" : "=\"" + a1.replace("\"", "\\\"") + "\"") + ", " + n2
          + (a2.isEmpty() ? "" : "=" + "\"" + a2.replace("\"", "\\\"") + "\"");
      CacheControl once = CacheControl.parse(List.of(field));
      assertEquals(once, CacheControl.parse(List.of(once.toString())), field);
    });
  }

  @Test
  void cacheStatus_writesRfc9211OrderAndParsesBack() {
    CacheStatus s = CacheStatus.hit(-3).withForward("stale").withForwardStatus(503).withCollapsed(true)
        .withKey("abcDEF_-123").withDetail("stale-if-error");
    assertEquals("apicache; hit; fwd=stale; fwd-status=503; ttl=-3; collapsed; key=\"abcDEF_-123\"; "
        + "detail=stale-if-error", s.toString());
    assertEquals(Optional.of(s), CacheStatus.parse("other; hit, " + s));
    assertEquals("apicache; fwd=method; detail=unsafe-method", CacheStatus.bypassed(BypassReason.UNSAFE_METHOD)
        .toString());
    assertEquals("apicache; fwd=bypass; detail=no-policy", CacheStatus.bypassed(BypassReason.NO_POLICY).toString());
    assertEquals(Optional.empty(), CacheStatus.parse("othercache; hit"));
    assertEquals(Optional.empty(), CacheStatus.parse("apicache; fwd-status=abc"));
  }

  @Test
  void cacheStatus_refusesValuesThatWouldBreakTheField() {
    assertThrows(IllegalArgumentException.class, () -> CacheStatus.forwarded("mi ss"));
    assertThrows(IllegalArgumentException.class, () -> CacheStatus.hit(1).withKey("a\"b"));
    assertThrows(IllegalArgumentException.class, () -> CacheStatus.hit(1).withForwardStatus(42));
    assertThrows(IllegalArgumentException.class, () -> CacheStatus.hit(1).withDetail("a;b"));
  }

  @Test
  void everyBypassReason_hasADistinctTokenTheFieldAccepts() {
    Set<String> tokens = new HashSet<>();
    for (BypassReason r : BypassReason.values()) {
      assertTrue(tokens.add(r.token()), r.token());
      assertEquals(Optional.of(r.token()), CacheStatus.parse(CacheStatus.bypassed(r).toString())
          .flatMap(CacheStatus::detail));
    }
  }
  @Test
  void httpDate_readsTheThreeFormsAndWritesTheFixedOne() {
    Instant t = Instant.parse("1994-11-06T08:49:37Z");
    assertEquals(Optional.of(t), HttpDate.parse("Sun, 06 Nov 1994 08:49:37 GMT"));
    assertEquals(Optional.of(t), HttpDate.parse("Sunday, 06-Nov-94 08:49:37 GMT"));
    assertEquals(Optional.of(t), HttpDate.parse("Sun Nov  6 08:49:37 1994"));
    assertEquals(Optional.of(t), HttpDate.parse(" Sun, 6 Nov 1994 08:49:37 GMT "));
    assertEquals("Sun, 06 Nov 1994 08:49:37 GMT", HttpDate.format(t));
    assertEquals("Thu, 01 Jan 1970 00:00:00 GMT", HttpDate.format(999));
    assertEquals(Optional.empty(), HttpDate.parse("Mon, 06 Nov 1994 08:49:37 GMT"), "the weekday must match");
    assertEquals(Optional.empty(), HttpDate.parse("yesterday"));
  }

  @Test
  void httpDate_roundTripsEverySecond() {
    QuickTheory.qt().forAll(SourceDSL.longs().between(0, 253402300799L)).checkAssert(seconds -> {
      Instant t = Instant.ofEpochSecond(seconds);
      assertEquals(Optional.of(t), HttpDate.parse(HttpDate.format(t)));
    });
  }

  @Test
  void vary_mergesLinesDropsDuplicatesAndKnowsStar() {
    Vary v = Vary.parse(List.of("Accept-Encoding, x-tenant-id", " X-Tenant-Id ,, Accept"));
    assertEquals(List.of("Accept-Encoding", "x-tenant-id", "Accept"), v.names());
    assertTrue(v.contains("ACCEPT"));
    assertFalse(v.isAny());
    assertTrue(Vary.parse(List.of("*")).isAny());
    assertEquals("*, Accept", Vary.parse(List.of("Accept, *")).toString());
    assertTrue(Vary.of(Headers.empty()).isEmpty());
    assertEquals("Accept-Encoding, x-tenant-id, Accept, X-Other", v.with(List.of("X-TENANT-ID", "X-Other")).toString());
    assertEquals(v, Vary.parse(List.of(v.toString())));
  }

  @Test
  void aResponsesDirectives_areParsedOnce_whateverReadsThem() {
    Headers h = Headers.of("Cache-Control", "max-age=60, stale-while-revalidate=30", "CDN-Cache-Control", "max-age=5");
    assertSame(h.cacheControl(), h.cacheControl());
    assertSame(h.sharedCacheControl(), h.sharedCacheControl());
    assertEquals(OptionalLong.of(5), h.sharedCacheControl().maxAge(),
        "the targeted field still wins for a shared cache");
    assertEquals(OptionalLong.of(60), h.cacheControl().maxAge());
  }
}
