package dev.apicache.http;

import static java.util.Objects.requireNonNull;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * The directives of a {@code Cache-Control} field (RFC 9111 §5.2), request or response, parsed
 * once: names are case-insensitive and kept in lower case; an argument may be a token or a quoted
 * string (unquoted here). Several field lines combine as one list. Immutable.
 *
 * <p>Lenient like a cache must be: a malformed member is skipped, a duplicate directive keeps its
 * first value, and a {@code max-age} that is not a non-negative integer reads as absent.
 *
 * @since 0.1
 */
public final class CacheControl {
  private static final CacheControl EMPTY = new CacheControl(Map.of());

  private final Map<String, String> directives;

  private CacheControl(Map<String, String> directives) {
    this.directives = directives;
  }

  /** The field of RFC 9213 that targets caches such as CDNs and reverse proxies. */
  public static final String CDN_CACHE_CONTROL = "CDN-Cache-Control";

  /** The directives of {@code lines}, in order. */
  public static CacheControl parse(List<String> lines) {
    requireNonNull(lines, "lines");
    if (lines.isEmpty()) {
      return EMPTY;
    }
    Map<String, String> out = new LinkedHashMap<>();
    for (String line : lines) {
      parseLine(line, out);
    }
    return out.isEmpty() ? EMPTY : new CacheControl(Collections.unmodifiableMap(out));
  }

  private static void parseLine(String line, Map<String, String> out) {
    int i = 0;
    int n = line.length();
    while (i < n) {
      while (i < n && (line.charAt(i) == ',' || line.charAt(i) == ' ' || line.charAt(i) == '\t')) {
        i++;
      }
      int start = i;
      while (i < n && line.charAt(i) != '=' && line.charAt(i) != ',') {
        i++;
      }
      String name = line.substring(start, i).trim().toLowerCase(Locale.ROOT);
      String value = "";
      if (i < n && line.charAt(i) == '=') {
        i++;
        if (i < n && line.charAt(i) == '"') {
          StringBuilder b = new StringBuilder();
          i++;
          while (i < n && line.charAt(i) != '"') {
            if (line.charAt(i) == '\\' && i + 1 < n) {
              i++;
            }
            b.append(line.charAt(i++));
          }
          i++; // the closing quote
          value = b.toString();
          while (i < n && line.charAt(i) != ',') {
            i++;
          }
        } else {
          int v = i;
          while (i < n && line.charAt(i) != ',') {
            i++;
          }
          value = line.substring(v, i).trim();
        }
      }
      if (!name.isEmpty() && isToken(name)) {
        out.putIfAbsent(name, value);
      }
    }
  }

  private static boolean isToken(String s) {
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c <= ' ' || c >= 0x7f || "\"(),/:;<=>?@[\\]{}".indexOf(c) >= 0) {
        return false;
      }
    }
    return true;
  }

  /** Whether the directive {@code name} is present (case-insensitive). */
  public boolean has(String name) {
    return directives.containsKey(name.toLowerCase(Locale.ROOT));
  }

  /** The argument of {@code name}: empty when absent, {@code ""} when present without one. */
  public Optional<String> argument(String name) {
    return Optional.ofNullable(directives.get(name.toLowerCase(Locale.ROOT)));
  }

  /** {@code no-store}. */
  public boolean isNoStore() {
    return directives.containsKey("no-store");
  }

  /** {@code private}, with or without a field list (a shared cache treats both alike). */
  public boolean isPrivate() {
    return directives.containsKey("private");
  }

  /** {@code no-cache}, with or without a field list. */
  public boolean isNoCache() {
    return directives.containsKey("no-cache");
  }

  /**
   * {@code no-cache} without a field list (RFC 9111 §5.2.2.4): the whole response is validated
   * before each use. {@code no-cache="a, b"} names only fields that must not be reused.
   */
  public boolean isUnqualifiedNoCache() {
    String v = directives.get("no-cache");
    return v != null && v.isBlank();
  }

  /** The field names a qualified {@code no-cache="a, b"} lists, lower case; empty otherwise. */
  public List<String> noCacheFields() {
    String v = directives.get("no-cache");
    if (v == null || v.isBlank()) {
      return List.of();
    }
    List<String> names = new ArrayList<>();
    for (String name : v.split(",")) {
      if (!name.isBlank()) {
        names.add(name.trim().toLowerCase(Locale.ROOT));
      }
    }
    return List.copyOf(names);
  }

  /** {@code max-age} in seconds, when present and a non-negative integer. */
  public OptionalLong maxAge() {
    return seconds("max-age");
  }

  /** {@code s-maxage} in seconds, when present and a non-negative integer. */
  public OptionalLong sharedMaxAge() {
    return seconds("s-maxage");
  }

  /**
   * The argument of directive {@code name} as delta-seconds (RFC 9111 §1.2.2), such as
   * {@code stale-while-revalidate=30}; empty when absent or not a non-negative integer.
   */
  public OptionalLong seconds(String name) {
    String v = directives.get(name.toLowerCase(Locale.ROOT));
    return v == null ? OptionalLong.empty() : deltaSeconds(v);
  }

  /** The largest delta-seconds a recipient needs to tell apart (RFC 9111 §1.2.2): 2^31. */
  static final long MAX_DELTA_SECONDS = 2_147_483_648L;

  /**
   * {@code value} as delta-seconds: a non-negative integer, a larger one than 2^31 read as 2^31
   * (RFC 9111 §1.2.2); empty when it is not digits.
   */
  public static OptionalLong deltaSeconds(String value) {
    String v = value.trim();
    if (v.isEmpty()) {
      return OptionalLong.empty();
    }
    for (int i = 0; i < v.length(); i++) {
      if (v.charAt(i) < '0' || v.charAt(i) > '9') {
        return OptionalLong.empty();
      }
    }
    String digits = v.replaceFirst("^0+(?=.)", "");
    return OptionalLong.of(digits.length() > 10 ? MAX_DELTA_SECONDS
        : Math.min(MAX_DELTA_SECONDS, Long.parseLong(digits)));
  }

  /** The directive names in field order, lower case. */
  public List<String> names() {
    return List.copyOf(directives.keySet());
  }

  /** The directives as a field value: {@code name} or {@code name=arg}, arguments quoted when not tokens. */
  @Override
  public String toString() {
    StringBuilder b = new StringBuilder();
    directives.forEach((name, arg) -> {
      if (b.length() > 0) {
        b.append(", ");
      }
      b.append(name);
      if (!arg.isEmpty()) {
        b.append('=');
        if (isToken(arg)) {
          b.append(arg);
        } else {
          b.append('"').append(arg.replace("\\", "\\\\").replace("\"", "\\\"")).append('"');
        }
      }
    });
    return b.toString();
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof CacheControl c && directives.equals(c.directives);
  }

  @Override
  public int hashCode() {
    return directives.hashCode();
  }
}
