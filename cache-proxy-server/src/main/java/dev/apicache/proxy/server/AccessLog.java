package dev.apicache.proxy.server;

import dev.apicache.proxy.RequestRecord;
import java.io.PrintStream;
import java.util.Locale;
import java.util.function.Consumer;

/** One line per request to a stream: plain for people, JSON for log pipelines. */
final class AccessLog implements Consumer<RequestRecord> {
  /** How lines are written. */
  enum Format {
    PLAIN, JSON, OFF
  }

  private final Format format;
  private final PrintStream out;

  AccessLog(Format format, PrintStream out) {
    this.format = format;
    this.out = out;
  }

  @Override
  public void accept(RequestRecord r) {
    String line = format == Format.JSON ? json(r) : plain(r);
    synchronized (out) {
      out.println(line);
    }
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
