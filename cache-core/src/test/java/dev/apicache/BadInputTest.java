package dev.apicache;

import static dev.apicache.Fixture.cacheStatus;
import static dev.apicache.Fixture.xCache;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Bad input gets a defined outcome: normalised, or sent to the origin uncached; never an error from the cache. */
class BadInputTest {
  private final Fixture f = new Fixture();

  @AfterEach
  void close() {
    f.close();
  }

  private void assertBypassed(CacheResponse r, String reason) {
    assertEquals(200, r.status());
    assertEquals("BYPASS", xCache(r));
    assertTrue(cacheStatus(r).endsWith("detail=" + reason), cacheStatus(r));
  }

  @Test
  void malformedIfNoneMatch_isIgnored() {
    f.get("/api/products/1");
    for (String junk : new String[] {"abc", "\"open", "W/", ",,,", "*, \"a\"", "\"a\" garbage", "\u0000"}) {
      CacheResponse r = f.get("/api/products/1", "If-None-Match", junk);
      assertEquals(200, r.status(), junk);
      assertEquals("HIT", xCache(r), junk);
    }
  }

  @Test
  void controlCharactersInAVaryHeader_bypass() {
    CacheRequest crlf = CacheRequest.builder("GET", "/api/config").header("X-Tenant-Id", "a\r\nX-Evil: 1")
        .attribute("tenant", "t").build();
    assertBypassed(f.send(crlf), "invalid-header");
  }

  @Test
  void hugeQueryString_bypasses() {
    assertBypassed(f.get("/api/products?category=" + "x".repeat(16 * 1024)), "oversize-url");
  }

  @Test
  void invalidPercentEncoding_bypasses() {
    assertBypassed(f.get("/api/products/%zz"), "invalid-path");
    assertBypassed(f.get("/api/products/%4"), "invalid-path");
    assertBypassed(f.get("/api/products?category=%E0%A4%A"), "invalid-query");
    assertBypassed(f.get("/api/products?category=%FF"), "invalid-query");
  }

  @Test
  void dotSegmentsAndEmptySegments_bypass() {
    assertBypassed(f.get("/api/products/../config"), "ambiguous-path");
    assertBypassed(f.get("/api/products/%2E%2E/config"), "ambiguous-path");
    assertBypassed(f.get("/api/products/./1"), "ambiguous-path");
    assertBypassed(f.get("/api//products/1"), "ambiguous-path");
    assertBypassed(f.get("relative"), "invalid-path");
  }

  @Test
  void rawBytesOutsidePrintableAscii_bypass() {
    assertBypassed(f.get("/api/products/caf\u00e9"), "invalid-path");
    assertBypassed(f.get("/api/products/a b"), "invalid-path");
    assertBypassed(f.get("/api/products?category=caf\u00c3\u00a9"), "invalid-query");
    assertBypassed(f.get("/api/products?category=a\tb"), "invalid-query");
  }

  @Test
  void queryValueSpellings_shareOneEntry() {
    f.get("/api/products?category=a%20b");
    assertEquals("HIT", xCache(f.get("/api/products?category=a+b")));
    assertEquals("HIT", xCache(f.get("/api/products?category=a+b&")));
  }

  @Test
  void absentAndEmptyParameters_areDifferentVariants() {
    f.get("/api/products");
    assertEquals("MISS", xCache(f.get("/api/products?category=")));
    assertEquals("HIT", xCache(f.get("/api/products?category")));
  }

  /** One byte range is cut from the stored response (RangeTest); anything else is the origin's to answer. */
  @Test
  void rangeRequestsTheCacheDoesNotAnswer_bypass() {
    assertBypassed(f.get("/api/products/1", "Range", "bytes=0-1,5-6"), "range");
    assertBypassed(f.get("/api/products/1", "Range", "items=0-10"), "range");
    assertBypassed(f.get("/api/products/1", "Range", "bytes=ten-"), "range");
  }

  @Test
  void unsupportedMethods_bypass() {
    assertBypassed(f.send(CacheRequest.builder("OPTIONS", "/api/products").build()), "method");
  }
}
