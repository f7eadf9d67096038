package dev.apicache.proxy;

import dev.apicache.Headers;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * The fields that belong to one connection, not to the message (RFC 9110 §7.6.1): a proxy removes
 * them before it forwards a message either way, together with every field the message's own
 * {@code Connection} names.
 */
final class HopByHop {
  /** Lower case. {@code Proxy-Connection} and {@code HTTP2-Settings} are not standard, but are per hop wherever they appear. */
  private static final Set<String> FIELDS = Set.of("connection", "keep-alive", "proxy-connection", "te",
      "transfer-encoding", "upgrade", "trailer", "http2-settings");

  private HopByHop() {}

  /** The lower-case names that are per hop in a message with {@code headers}. */
  static Set<String> in(Headers headers) {
    List<String> lines = headers.all("Connection");
    if (lines.isEmpty()) {
      return FIELDS;
    }
    Set<String> all = new HashSet<>(FIELDS);
    for (String line : lines) {
      for (String option : line.split(",")) {
        if (!option.isBlank()) {
          all.add(option.trim().toLowerCase(Locale.ROOT));
        }
      }
    }
    return all;
  }

  /**
   * {@code headers} without the per-hop fields and without {@code alsoDropped} (lower case), with
   * {@code via} appended to {@code Via} (RFC 9110 §7.6.3).
   */
  static Headers forwardable(Headers headers, Set<String> alsoDropped, String via) {
    Set<String> dropped = in(headers);
    Headers.Builder out = Headers.builder();
    headers.forEach((name, value) -> {
      String lower = name.toLowerCase(Locale.ROOT);
      if (!dropped.contains(lower) && !alsoDropped.contains(lower)) {
        out.add(name, value);
      }
    });
    out.add("Via", via);
    return out.build();
  }
}
