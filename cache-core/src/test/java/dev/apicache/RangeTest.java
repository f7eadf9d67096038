package dev.apicache;

import static dev.apicache.Fixture.xCache;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** A single byte range answered from a stored complete response (RFC 9110 §14), on a hit and on a miss. */
class RangeTest {
  private final Fixture f = new Fixture();

  @AfterEach
  void close() {
    f.close();
  }

  private final java.util.concurrent.atomic.AtomicReference<CacheRequest> asked =
      new java.util.concurrent.atomic.AtomicReference<>();

  private CacheResponse get(String target, String... headers) {
    CacheRequest.Builder b = CacheRequest.builder("GET", target);
    for (int i = 0; i < headers.length; i += 2) {
      b.header(headers[i], headers[i + 1]);
    }
    return f.engine.handle(b.build(), request -> {
      asked.set(request);
      return f.origin.fetch(request);
    });
  }

  @Test
  void aRangeOfAStoredResponse_is206WithItsBytes() {
    CacheResponse whole = get("/api/products/r1");
    String body = whole.body().utf8();
    CacheResponse part = get("/api/products/r1", "Range", "bytes=2-5");
    assertEquals(206, part.status());
    assertEquals("HIT", xCache(part));
    assertEquals("bytes 2-5/" + body.length(), part.headers().first("Content-Range").orElseThrow());
    assertEquals(body.substring(2, 6), part.body().utf8());
    assertEquals(body.substring(body.length() - 3), get("/api/products/r1", "Range", "bytes=-3").body().utf8());
    assertEquals(body.substring(4), get("/api/products/r1", "Range", "bytes=4-").body().utf8());
    assertEquals(body, get("/api/products/r1", "Range", "bytes=0-100000").body().utf8(), "clipped to the end");
    assertEquals(1, f.originCalls.get());
  }

  @Test
  void aRangeOnAMiss_asksTheOriginForTheWhole_storesIt_andAnswersThePart() {
    CacheResponse part = get("/api/products/r2", "Range", "bytes=0-0");
    assertEquals(206, part.status());
    assertEquals("MISS", xCache(part));
    assertEquals("{", part.body().utf8());
    assertFalse(asked.get().headers().contains("Range"), "the origin was asked for the whole");
    assertEquals(200, get("/api/products/r2").status());
    assertEquals("HIT", xCache(get("/api/products/r2")));
    assertEquals(1, f.originCalls.get());
  }

  @Test
  void unsatisfiableMismatchedAndMultipleRanges() {
    int length = get("/api/products/r3").body().size();
    CacheResponse past = get("/api/products/r3", "Range", "bytes=" + length + "-");
    assertEquals(416, past.status());
    assertEquals("bytes */" + length, past.headers().first("Content-Range").orElseThrow());
    CacheResponse stale = get("/api/products/r3", "Range", "bytes=0-1", "If-Range", "\"not-the-tag\"");
    assertEquals(200, stale.status(), "an If-Range the entry does not match gets the whole");
    assertEquals(length, stale.body().size());
    CacheResponse several = get("/api/products/r3", "Range", "bytes=0-1,4-5");
    assertEquals("BYPASS", xCache(several), "several ranges are the origin's to answer");
  }
}
