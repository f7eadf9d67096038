package dev.apicache;

import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
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
 * The entry codec every store shares: encoding a stored response (on a fill) and decoding it (on
 * every hit of a shared store), at 1 KiB and 64 KiB bodies. In core's package because the codec is
 * internal to it.
 *
 * <p>Run: {@code ./apicache bench CodecBenchmark}
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
@State(Scope.Benchmark)
public class CodecBenchmark {
  @Param({"1024", "65536"})
  public int bodySize;

  private StoredEntry entry;
  private byte[] encoded;

  @Setup
  public void setUp() {
    byte[] body = new byte[bodySize];
    new Random(1).nextBytes(body);
    entry = new StoredEntry(200, Headers.of("Content-Type", "application/json", "Date", "Thu, 26 Nov 2026 20:00:00 GMT"),
        Bytes.copyOf(body), EntityTag.strong("abcdefghijklmnopqrstuv"), 1_700_000_000_000L, 60_000, 30_000, 600_000,
        List.of("product:42"));
    encoded = EntryCodec.encode(entry);
  }

  @Benchmark
  public byte[] encode() {
    return EntryCodec.encode(entry);
  }

  @Benchmark
  public Object decode() {
    return EntryCodec.decode(encoded);
  }
}
