package dev.apicache.bench;

import io.airlift.compress.Compressor;
import io.airlift.compress.Decompressor;
import io.airlift.compress.lz4.Lz4Compressor;
import io.airlift.compress.lz4.Lz4Decompressor;
import io.airlift.compress.zstd.ZstdCompressor;
import io.airlift.compress.zstd.ZstdDecompressor;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;
import java.util.zip.GZIPInputStream;
import java.util.zip.GZIPOutputStream;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The codec a compressed entry could use, on one of the demo's product pages (1.4 KB of JSON):
 * the JDK's gzip (what the engine ships, and what HTTP clients accept), against the pure-Java zstd
 * and LZ4 of aircompressor (a maintained library), for encoding once and decoding per hit. The
 * encoded sizes are printed when each codec is set up.
 *
 * <p>Run: {@code ./apicache bench BodyCodecBenchmark}
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 8, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
@State(Scope.Benchmark)
public class BodyCodecBenchmark {
  @Param({"gzip", "zstd", "lz4"})
  public String codec;

  private byte[] page;
  private byte[] encoded;
  private Compressor compressor;
  private Decompressor decompressor;
  private byte[] scratch;

  @Setup
  public void setUp() throws IOException {
    StringBuilder b = new StringBuilder("[");
    for (int i = 1; i <= 20; i++) {
      b.append(i > 1 ? "," : "").append("{\"id\":").append(i).append(",\"name\":\"Product ").append(i)
          .append("\",\"category\":\"books\",\"price\":").append(1 + (i * 37 % 9800) / 100.0).append('}');
    }
    page = b.append(']').toString().getBytes(StandardCharsets.UTF_8);
    if (!codec.equals("gzip")) {
      compressor = codec.equals("zstd") ? new ZstdCompressor() : new Lz4Compressor();
      decompressor = codec.equals("zstd") ? new ZstdDecompressor() : new Lz4Decompressor();
      scratch = new byte[compressor.maxCompressedLength(page.length)];
    }
    encoded = encode();
    if (!Arrays.equals(page, decode())) {
      throw new IllegalStateException(codec + " does not round-trip");
    }
    System.out.printf("%n%s: %d B of JSON encoded to %d B (%.1fx)%n", codec, page.length, encoded.length,
        (double) page.length / encoded.length);
  }

  /** Encoding once, as a fill does. */
  @Benchmark
  public byte[] encode() throws IOException {
    if (compressor == null) {
      ByteArrayOutputStream out = new ByteArrayOutputStream(page.length / 2);
      try (GZIPOutputStream gz = new GZIPOutputStream(out, 8192)) {
        gz.write(page);
      }
      return out.toByteArray();
    }
    int n = compressor.compress(page, 0, page.length, scratch, 0, scratch.length);
    return Arrays.copyOf(scratch, n);
  }

  /** Decoding, as a hit for a client that does not accept the stored encoding does. */
  @Benchmark
  public byte[] decode() throws IOException {
    if (decompressor == null) {
      try (GZIPInputStream in = new GZIPInputStream(new ByteArrayInputStream(encoded), 8192)) {
        return in.readAllBytes();
      }
    }
    byte[] out = new byte[page.length];
    decompressor.decompress(encoded, 0, encoded.length, out, 0, out.length);
    return out;
  }
}
