package dev.apicache.proxy.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.apicache.proxy.RequestRecord;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.PipedInputStream;
import java.io.PipedOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** The access log never makes the request that logs wait, however slowly its reader reads. */
class AccessLogTest {
  private static RequestRecord record(int i) {
    return new RequestRecord(Instant.EPOCH, "127.0.0.1", "GET", "/items/" + i, "HTTP/1.1", 200, 24, "HIT",
        Duration.ofNanos(1000), Duration.ZERO);
  }

  @Test
  void aReaderThatStops_neverBlocksTheRequests_andLearnsHowManyLinesWereDropped() throws Exception {
    PipedInputStream reader = new PipedInputStream(1024); // nobody reads it until every line is logged
    PrintStream out = new PrintStream(new PipedOutputStream(reader), false, StandardCharsets.UTF_8);
    int requests = AccessLog.QUEUED * 2;
    AccessLog log = new AccessLog(AccessLog.Format.PLAIN, out);
    assertTimeoutPreemptively(Duration.ofSeconds(60), () -> {
      for (int i = 0; i < requests; i++) {
        log.accept(record(i));
      }
    }, "a request's line is queued, never written on the request's thread");

    BufferedReader lines = new BufferedReader(new InputStreamReader(reader, StandardCharsets.UTF_8));
    Pattern droppedLine = Pattern.compile("apicache-proxy: (\\d+) access-log line\\(s\\) dropped.*");
    long written = 0;
    long dropped = 0;
    while (written + dropped < requests) {
      String line = lines.readLine();
      Matcher m = droppedLine.matcher(line);
      if (m.matches()) {
        dropped += Long.parseLong(m.group(1));
      } else {
        assertTrue(line.contains("\"GET /items/"), line);
        written++;
      }
    }
    assertEquals(requests, written + dropped, "every line written or counted as dropped");
    assertTrue(dropped > 0, "the stalled reader cost lines, and said how many");
    assertTrue(written >= AccessLog.QUEUED, "what was queued was written: " + written);
    Thread closer = Thread.ofPlatform().start(() -> {
      try {
        log.close();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    });
    closer.join(Duration.ofSeconds(60));
    assertTrue(!closer.isAlive(), "the log closes");
  }
}
