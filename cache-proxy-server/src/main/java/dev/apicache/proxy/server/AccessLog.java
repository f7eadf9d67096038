package dev.apicache.proxy.server;

import dev.apicache.proxy.RequestRecord;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

/**
 * One line per request to a stream: plain for people, JSON for log pipelines. A hit is answered on
 * an event loop, which must never wait on a slow log reader (a full pipe, a stalled log shipper):
 * lines are queued and written by a thread of their own, a batch per flush, and when the reader
 * falls {@value #QUEUED} lines behind, further lines are dropped and their number written once the
 * queue drains. {@link #close()} writes what is queued.
 */
final class AccessLog implements Consumer<RequestRecord>, AutoCloseable {
  /** How lines are written. */
  enum Format {
    PLAIN, JSON, OFF
  }

  static final int QUEUED = 16_384;

  private final Format format;
  private final PrintStream out;
  private final ArrayBlockingQueue<String> lines = new ArrayBlockingQueue<>(QUEUED);
  private final AtomicLong dropped = new AtomicLong();
  private final Thread writer;
  private volatile boolean closed;

  AccessLog(Format format, PrintStream out) {
    this.format = format;
    this.out = out;
    this.writer = Thread.ofPlatform().daemon().name("apicache-proxy-access-log").start(this::write);
  }

  @Override
  public void accept(RequestRecord r) {
    if (!lines.offer(format == Format.JSON ? json(r) : plain(r))) {
      dropped.incrementAndGet();
    }
  }

  private void write() {
    List<String> batch = new ArrayList<>();
    while (!closed || !lines.isEmpty()) {
      try {
        String first = lines.poll(1, TimeUnit.SECONDS); // the timeout only lets a close be seen
        if (first == null) {
          continue;
        }
        batch.add(first);
      } catch (InterruptedException e) {
        closed = true; // closing: write what is queued, then end
      }
      lines.drainTo(batch);
      synchronized (out) {
        batch.forEach(out::println);
        long lost = dropped.getAndSet(0);
        if (lost > 0) {
          out.println("apicache-proxy: " + lost + " access-log line(s) dropped: the log's reader fell behind");
        }
        out.flush();
      }
      batch.clear();
    }
  }

  /** Writes the lines queued so far, then stops the writer. */
  @Override
  public void close() throws InterruptedException {
    closed = true;
    writer.interrupt();
    writer.join(TimeUnit.SECONDS.toMillis(10));
  }

  /** {@code time client "METHOD target PROTOCOL" status bytes cache total-ms upstream-ms}. */
  static String plain(RequestRecord r) {
    return r.start() + " " + r.client() + " \"" + r.method() + " " + printable(r.target()) + " " + r.protocol() + "\" "
        + r.status() + " " + r.bytesSent() + " " + r.cache() + " " + millis(r.duration().toNanos()) + "ms upstream="
        + millis(r.upstream().toNanos()) + "ms";
  }

  static String json(RequestRecord r) {
    return "{\"time\":\"" + r.start() + "\",\"client\":" + quoted(r.client()) + ",\"method\":" + quoted(r.method())
        + ",\"target\":" + quoted(r.target()) + ",\"protocol\":" + quoted(r.protocol()) + ",\"status\":" + r.status()
        + ",\"bytes\":" + r.bytesSent() + ",\"cache\":" + quoted(r.cache()) + ",\"ms\":" + millis(r.duration().toNanos())
        + ",\"upstream_ms\":" + millis(r.upstream().toNanos()) + "}";
  }

  private static String millis(long nanos) {
    return String.format(Locale.ROOT, "%.3f", nanos / 1e6);
  }

  /** The target with bytes a terminal would act on shown as escapes, so a line is always one line. */
  private static String printable(String s) {
    StringBuilder b = new StringBuilder(s.length());
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c < 0x20 || c == 0x7f || c == '"') {
        b.append(String.format(Locale.ROOT, "\\x%02x", (int) c));
      } else {
        b.append(c);
      }
    }
    return b.toString();
  }

  private static String quoted(String s) {
    StringBuilder b = new StringBuilder(s.length() + 2).append('"');
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      switch (c) {
        case '"' -> b.append("\\\"");
        case '\\' -> b.append("\\\\");
        default -> {
          if (c < 0x20 || c == 0x7f) {
            b.append(String.format(Locale.ROOT, "\\u%04x", (int) c));
          } else {
            b.append(c);
          }
        }
      }
    }
    return b.append('"').toString();
  }
}
