package dev.apicache;

import static dev.apicache.Fixture.xCache;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.apicache.http.HttpDate;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Compressed entries: stored gzip-encoded once, sent as stored to clients that accept gzip and
 * decoded for the others, each representation with its own entity tag and {@code Vary}.
 */
class CompressionTest {
  private static final String JSON = "{\"items\":[" + "{\"id\":1,\"name\":\"a product name\",\"price\":9.5},".repeat(60)
      + "{}]}";

  private final Fixture f = new Fixture(CachePolicies.builder()
      .add(CachePolicy.forRoute("/api/list").ttl(Duration.ofMinutes(5)).compress().build())
      .add(CachePolicy.forRoute("/api/small").ttl(Duration.ofMinutes(5)).compress().build())
      .add(CachePolicy.forRoute("/api/image").ttl(Duration.ofMinutes(5)).compress().build())
      .add(CachePolicy.forRoute("/api/plain").ttl(Duration.ofMinutes(5)).build())
      .add(CachePolicy.forRoute("/doc/**").originDirected(Duration.ZERO, Duration.ofDays(1)).compress().build())
      .build());

  CompressionTest() {
    f.respond = r -> switch (r.path()) {
      case "/api/small" -> CacheResponse.builder(200).header("Content-Type", "application/json").body("{}").build();
      case "/api/image" -> CacheResponse.builder(200).header("Content-Type", "image/png").body(JSON).build();
      case "/doc/a" -> CacheResponse.builder(200).header("Content-Type", "text/html; charset=utf-8")
          .header("ETag", "\"v1\"").header("Cache-Control", "max-age=600")
          .header("Date", HttpDate.format(f.clock.millis())).body(JSON).build();
      default -> CacheResponse.builder(200).header("Content-Type", "application/json; charset=utf-8").body(JSON)
          .build();
    };
  }

  @AfterEach
  void close() {
    f.close();
  }

  private static byte[] gunzip(Bytes body) {
    try (GZIPInputStream in = new GZIPInputStream(new java.io.ByteArrayInputStream(body.toByteArray()))) {
      return in.readAllBytes();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Test
  void aClientThatAcceptsGzip_getsTheStoredGzip_andOthersTheDecodedBody() {
    f.get("/api/list");
    CacheResponse gz = f.get("/api/list", "Accept-Encoding", "br, gzip;q=0.8");
    assertEquals("HIT", xCache(gz));
    assertEquals("gzip", gz.headers().first("Content-Encoding").orElseThrow());
    assertArrayEquals(JSON.getBytes(java.nio.charset.StandardCharsets.UTF_8), gunzip(gz.body()));
    assertTrue(gz.body().size() * 5 < JSON.length(), "stored and sent at a fraction of the size: " + gz.body().size());

    CacheResponse plain = f.get("/api/list");
    assertEquals("HIT", xCache(plain));
    assertFalse(plain.headers().contains("Content-Encoding"));
    assertEquals(JSON, plain.body().utf8());

    for (CacheResponse r : List.of(gz, plain)) {
      assertTrue(r.headers().first("Vary").orElseThrow().contains("Accept-Encoding"), r.headers().toString());
    }
    assertNotEquals(gz.headers().first("ETag"), plain.headers().first("ETag"), "one tag per representation");
    assertEquals(1, f.originCalls.get(), "compressed once, when stored");
  }

  @Test
  void theFillItself_answersEachClientWithItsRepresentation() {
    CacheResponse miss = f.get("/api/list", "Accept-Encoding", "gzip");
    assertEquals("MISS", xCache(miss));
    assertEquals("gzip", miss.headers().first("Content-Encoding").orElseThrow());
    assertArrayEquals(JSON.getBytes(java.nio.charset.StandardCharsets.UTF_8), gunzip(miss.body()));
    f.engine.purge("/api/list");
    CacheResponse plainMiss = f.get("/api/list");
    assertEquals("MISS", xCache(plainMiss));
    assertFalse(plainMiss.headers().contains("Content-Encoding"));
    assertEquals(JSON, plainMiss.body().utf8());
  }

  @Test
  void ifNoneMatch_isAnsweredFromTheTagOfTheRepresentationTheClientGets() {
    f.get("/api/list");
    String gzTag = f.get("/api/list", "Accept-Encoding", "gzip").headers().first("ETag").orElseThrow();
    String plainTag = f.get("/api/list").headers().first("ETag").orElseThrow();

    CacheResponse notModified = f.get("/api/list", "Accept-Encoding", "gzip", "If-None-Match", gzTag);
    assertEquals(304, notModified.status());
    assertEquals(gzTag, notModified.headers().first("ETag").orElseThrow());
    assertEquals(Integer.toString(f.get("/api/list", "Accept-Encoding", "gzip").body().size()),
        notModified.headers().first("Content-Length").orElseThrow(), "the length of what a 200 would carry");
    assertEquals(304, f.get("/api/list", "If-None-Match", plainTag).status());
    assertEquals(Integer.toString(JSON.length()), f.get("/api/list", "If-None-Match", plainTag).headers()
        .first("Content-Length").orElseThrow());
    assertEquals(200, f.get("/api/list", "If-None-Match", gzTag).status(), "the gzip tag does not name the decoded body");
    assertEquals(200, f.get("/api/list", "Accept-Encoding", "gzip", "If-None-Match", plainTag).status());
  }

  @Test
  void headCarriesTheLengthOfTheRepresentation_withoutABody() {
    f.get("/api/list");
    CacheResponse head = f.send(CacheRequest.builder("HEAD", "/api/list").header("Accept-Encoding", "gzip").build());
    assertTrue(head.body().isEmpty());
    assertEquals("gzip", head.headers().first("Content-Encoding").orElseThrow());
    assertEquals(Integer.toString(f.get("/api/list", "Accept-Encoding", "gzip").body().size()),
        head.headers().first("Content-Length").orElseThrow());
    assertEquals(Integer.toString(JSON.length()), f.send(CacheRequest.builder("HEAD", "/api/list").build()).headers()
        .first("Content-Length").orElseThrow());
  }

  @Test
  void smallBodies_otherTypes_andPoliciesWithoutCompression_areStoredAsTheyCame() {
    for (String path : new String[] {"/api/small", "/api/image", "/api/plain"}) {
      f.get(path);
      CacheResponse r = f.get(path, "Accept-Encoding", "gzip");
      assertEquals("HIT", xCache(r), path);
      assertFalse(r.headers().contains("Content-Encoding"), path);
      assertFalse(r.headers().first("Vary").orElse("").contains("Accept-Encoding"), path);
    }
  }

  @Test
  void anOriginDirectedEntry_keepsTheOriginsTagForItsDecodedBody_andValidatesWithIt() {
    f.get("/doc/a");
    CacheResponse gz = f.get("/doc/a", "Accept-Encoding", "gzip");
    assertEquals("\"v1-gz\"", gz.headers().first("ETag").orElseThrow());
    assertEquals("gzip", gz.headers().first("Content-Encoding").orElseThrow());
    CacheResponse plain = f.get("/doc/a");
    assertEquals("\"v1\"", plain.headers().first("ETag").orElseThrow());
    assertEquals(JSON, plain.body().utf8());
    assertEquals(304, f.get("/doc/a", "Accept-Encoding", "gzip", "If-None-Match", "\"v1-gz\"").status());

    // once stale, the origin is asked with its own tag, and its 304 freshens the compressed copy
    f.clock.advance(Duration.ofMinutes(11));
    f.respond = r -> {
      assertEquals("\"v1\"", r.headers().first("If-None-Match").orElse(""), "the origin's tag, never ours");
      return CacheResponse.builder(304).header("ETag", "\"v1\"").header("Cache-Control", "max-age=600")
          .header("Date", HttpDate.format(f.clock.millis())).build();
    };
    CacheResponse refreshed = f.get("/doc/a", "Accept-Encoding", "gzip");
    assertArrayEquals(JSON.getBytes(java.nio.charset.StandardCharsets.UTF_8), gunzip(refreshed.body()),
        "never gzipped twice");
    assertEquals(JSON, f.get("/doc/a").body().utf8());
  }

  @Test
  void acceptEncoding_isReadAsRfc9110Says() {
    Map<String, Boolean> cases = Map.of(
        "gzip", true, "GZIP", true, "x-gzip", true, "deflate, gzip;q=0.5", true, "*", true,
        "gzip;q=0", false, "*;q=0", false, "identity", false, "br", false, "*, gzip;q=0", false);
    cases.forEach((value, expected) ->
        assertEquals(expected, Compression.accepted(Headers.of("Accept-Encoding", value)), value));
    assertFalse(Compression.accepted(Headers.empty()), "no Accept-Encoding: identity is the safe reading");
  }

  @Test
  void settingsAreChecked_andMatchTypesWildcardsAndSuffixes() {
    Compression c = new Compression(10, List.of("text/*", "+json", "application/xml"));
    assertTrue(c.applies(Headers.of("Content-Type", "text/html; charset=utf-8"), 10));
    assertTrue(c.applies(Headers.of("Content-Type", "application/problem+json"), 10));
    assertTrue(c.applies(Headers.of("Content-Type", "Application/XML"), 10));
    assertFalse(c.applies(Headers.of("Content-Type", "application/json"), 10));
    assertFalse(c.applies(Headers.of("Content-Type", "text/plain"), 9), "under the threshold");
    assertFalse(c.applies(Headers.of("Content-Type", "text/plain", "Content-Encoding", "br"), 100), "already encoded");
    assertFalse(c.applies(Headers.empty(), 100));
    assertThrows(IllegalArgumentException.class, () -> new Compression(-1, List.of("text/*")));
    assertThrows(IllegalArgumentException.class, () -> new Compression(0, List.of()));
    assertThrows(IllegalArgumentException.class, () -> new Compression(0, List.of("json")));
  }

  @Test
  void thePolicyFile_takesCompressAsTrueOrAMapping_andSaysWhatIsWrong() {
    CachePolicies p = PolicyFile.parse("""
        policies:
          - path: /a
            ttl: 60s
            compress: true
          - path: /b
            ttl: 60s
            compress: {minSize: 2KB, types: [application/json]}
          - path: /c
            ttl: 60s
            compress: false
        """, "test.yaml", Map.of());
    assertEquals(Compression.DEFAULTS, p.policies().get(0).compression().orElseThrow());
    assertEquals(new Compression(2048, List.of("application/json")), p.policies().get(1).compression().orElseThrow());
    assertTrue(p.policies().get(2).compression().isEmpty());
    PolicyConfigException e = assertThrows(PolicyConfigException.class, () -> PolicyFile.parse("""
        policies:
          - path: /a
            ttl: 60s
            compress: {types: [json]}
        """, "test.yaml", Map.of()));
    assertTrue(e.getMessage().contains("compress") && e.getMessage().contains("json"), e.getMessage());
    PolicyConfigException unknown = assertThrows(PolicyConfigException.class, () -> PolicyFile.parse("""
        policies:
          - path: /a
            ttl: 60s
            compress: {level: 9}
        """, "test.yaml", Map.of()));
    assertTrue(unknown.getMessage().contains("unknown field 'level'"), unknown.getMessage());
  }
}
