package dev.apicache;

import static dev.apicache.Fixture.xCache;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * An origin answer that arrives as a stream (it paused, or it is large) goes to its client as it
 * comes and is stored once it ends whole within the policy's limit, unless an invalidation came
 * first; one cut short, closed early or too large is not stored.
 */
class StreamedFillTest {
  private final Fixture f = new Fixture();
  private final Origin unused = r -> {
    throw new AssertionError("no background call expected");
  };

  @AfterEach
  void close() {
    f.close();
  }

  private Admission.Cacheable admit(String target) {
    return assertInstanceOf(Admission.Cacheable.class, f.engine.admit(CacheRequest.get(target)));
  }

  private static CacheResponse streamed(String body) {
    return CacheResponse.streaming(200, Headers.builder().add("Content-Type", "text/plain").build(),
        new ByteArrayInputStream(body.getBytes(StandardCharsets.UTF_8)));
  }

  private CacheResponse fillWith(String target, CacheResponse answer) {
    Serving.Fill fill = assertInstanceOf(Serving.Fill.class, f.engine.serve(admit(target), unused));
    try (fill) {
      return fill.complete(answer);
    }
  }

  private Serving again(String target) {
    Serving s = f.engine.serve(admit(target), unused);
    if (s instanceof Serving.Fill fill) {
      fill.close();
    }
    return s;
  }

  @Test
  void aStreamReadToItsEnd_isStored() throws IOException {
    CacheResponse sent = fillWith("/api/products/s1", streamed("streamed body"));
    assertEquals("MISS", xCache(sent));
    assertInstanceOf(Serving.Fill.class, again("/api/products/s1"), "nothing is stored before the stream ends");
    try (InputStream in = ((CacheResponse.Content.Streaming) sent.content()).stream()) {
      assertEquals("streamed body", new String(in.readAllBytes(), StandardCharsets.UTF_8));
    }
    CacheResponse hit = assertInstanceOf(Serving.Ready.class, again("/api/products/s1")).response();
    assertEquals("HIT", xCache(hit));
    assertEquals("streamed body", hit.body().utf8());
  }

  @Test
  void aStreamClosedBeforeItsEnd_isNotStored() throws IOException {
    CacheResponse sent = fillWith("/api/products/s2", streamed("streamed body"));
    try (InputStream in = ((CacheResponse.Content.Streaming) sent.content()).stream()) {
      in.readNBytes(4);
    }
    assertInstanceOf(Serving.Fill.class, again("/api/products/s2"));
  }

  @Test
  void aStreamThatBreaksOff_isNotStored() {
    InputStream breaking = new InputStream() {
      private int left = 3;

      @Override
      public int read() throws IOException {
        if (left-- > 0) {
          return 'x';
        }
        throw new IOException("the origin went away");
      }
    };
    CacheResponse sent = fillWith("/api/products/s3", CacheResponse.streaming(200, Headers.builder().build(),
        breaking));
    try (InputStream in = ((CacheResponse.Content.Streaming) sent.content()).stream()) {
      in.readAllBytes();
    } catch (IOException expected) {
      // the client's copy breaks off too
    }
    assertInstanceOf(Serving.Fill.class, again("/api/products/s3"));
  }

  @Test
  void aStreamPastThePolicysLimit_reachesItsClientWhole_andIsNotStored() throws IOException {
    String big = "0123456789".repeat(4); // /api/small allows 16 bytes
    CacheResponse sent = fillWith("/api/small", streamed(big));
    try (InputStream in = ((CacheResponse.Content.Streaming) sent.content()).stream()) {
      assertEquals(big, new String(in.readAllBytes(), StandardCharsets.UTF_8));
    }
    assertInstanceOf(Serving.Fill.class, again("/api/small"));
  }

  @Test
  void anInvalidationWhileTheStreamPasses_keepsItOutOfTheStore() throws IOException {
    CacheResponse sent = fillWith("/api/products/s4", streamed("old data"));
    InputStream in = ((CacheResponse.Content.Streaming) sent.content()).stream();
    in.readNBytes(3);
    assertTrue(f.engine.invalidate("product.updated") > 0);
    assertEquals("data", new String(in.readAllBytes(), StandardCharsets.UTF_8).trim());
    in.close();
    assertInstanceOf(Serving.Fill.class, again("/api/products/s4"), "the old data was not stored after the write");
  }
}
