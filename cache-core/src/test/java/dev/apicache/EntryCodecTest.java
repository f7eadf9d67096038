package dev.apicache;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.integers;

import dev.apicache.http.EntityTag;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class EntryCodecTest {
  private static StoredEntry entry(byte[] body) {
    return new StoredEntry(200, Headers.of("Content-Type", "application/json", "X-Multi", "a", "X-Multi", "b"),
        Bytes.copyOf(body), EntityTag.weak("v1"), 1_700_000_000_000L, 60_000, 30_000, 600_000,
        List.of("product:42", "é"));
  }

  @Test
  void roundTrip_keepsEveryField() {
    for (int size : new int[] {0, 1, 1024, 1 << 20}) {
      byte[] body = new byte[size];
      new Random(size).nextBytes(body);
      StoredEntry original = entry(body);
      StoredEntry decoded = EntryCodec.decode(EntryCodec.encode(original)).orElseThrow();
      assertEquals(original, decoded);
      assertArrayEquals(body, decoded.body().toByteArray());
    }
  }

  @Test
  void roundTrip_keepsTheSoftPurgeMarks() {
    StoredEntry marked = entry(new byte[3]).withMarks(new long[] {7, Long.MAX_VALUE});
    StoredEntry decoded = EntryCodec.decode(EntryCodec.encode(marked)).orElseThrow();
    assertArrayEquals(new long[] {7, Long.MAX_VALUE}, decoded.marks());
    assertEquals(marked, decoded);
  }

  @Test
  void anEntryWrittenBeforeMarksExisted_decodesWithTheMarksItWouldHaveHad() {
    // version 1: the same layout without the mark count, marks and flags after the four times
    StoredEntry e = entry("{}".getBytes());
    byte[] v3 = EntryCodec.encode(e.withMarks(new long[] {0, 0}));
    int marksAt = 3 + 2 + 4 * 8;
    int cut = 1 + 2 * 8 + 1;
    byte[] v1 = new byte[v3.length - cut];
    System.arraycopy(v3, 0, v1, 0, marksAt);
    System.arraycopy(v3, marksAt + cut, v1, marksAt, v3.length - marksAt - cut);
    v1[2] = 1;
    StoredEntry decoded = EntryCodec.decode(v1).orElseThrow();
    assertArrayEquals(new long[] {0, 0}, decoded.marks());
    assertEquals(e.withMarks(new long[] {0, 0}), decoded);

    // version 2: marks, but no flags byte; its bodies are as they came
    byte[] v2 = new byte[v3.length - 1];
    int flagsAt = marksAt + 1 + 2 * 8;
    System.arraycopy(v3, 0, v2, 0, flagsAt);
    System.arraycopy(v3, flagsAt + 1, v2, flagsAt, v3.length - flagsAt - 1);
    v2[2] = 2;
    assertEquals(e.withMarks(new long[] {0, 0}), EntryCodec.decode(v2).orElseThrow());
  }

  @Test
  void roundTrip_keepsAGzippedBodyAndItsFlag_andRefusesUnknownFlags() {
    StoredEntry gz = entry(new byte[0]).withGzippedBody(Compression.gzip(Bytes.utf8("hello hello hello")));
    byte[] blob = EntryCodec.encode(gz);
    StoredEntry decoded = EntryCodec.decode(blob).orElseThrow();
    assertTrue(decoded.gzipped());
    assertEquals("hello hello hello", decoded.decodedBody().orElseThrow().utf8());
    assertEquals(17, decoded.decodedSize());
    blob[3 + 2 + 4 * 8 + 1 + 0] = (byte) 2; // flags right after a mark count of 0: an unknown flag
    assertTrue(EntryCodec.decode(blob).isEmpty());
  }

  @Test
  void unknownVersion_isAMiss() {
    byte[] blob = EntryCodec.encode(entry(new byte[10]));
    blob[2] = 99;
    assertTrue(EntryCodec.decode(blob).isEmpty());
  }

  @Test
  void everyTruncation_isAMissNeverAnException() {
    byte[] blob = EntryCodec.encode(entry("{\"id\":1}".getBytes()));
    for (int n = 0; n < blob.length; n++) {
      assertTrue(EntryCodec.decode(Arrays.copyOf(blob, n)).isEmpty(), "truncated at " + n);
    }
  }

  @Test
  void randomCorruption_neverThrows() {
    byte[] blob = EntryCodec.encode(entry("{\"id\":1}".getBytes()));
    qt().withExamples(5000).forAll(integers().between(0, blob.length - 1), integers().between(0, 255))
        .checkAssert((position, value) -> {
          byte[] copy = blob.clone();
          copy[position] = (byte) (int) value;
          EntryCodec.decode(copy); // must return, present or empty
        });
    Random random = new Random(1);
    for (int i = 0; i < 2000; i++) {
      byte[] junk = new byte[random.nextInt(64)];
      random.nextBytes(junk);
      EntryCodec.decode(junk);
    }
  }
}
