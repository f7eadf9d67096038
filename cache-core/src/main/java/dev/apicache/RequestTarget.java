package dev.apicache;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * A request's path and query, checked for use in matching and keys, or the reason they cannot be
 * used.
 *
 * <p>The cache answers only paths in canonical spelling: no empty or dot segments, no trailing
 * slash, no {@code ;} path parameters or {@code \}, every escape well formed, upper case, and of a
 * character that needs one (RFC 3986 §6.2.2). Frameworks and applications disagree on what the
 * other spellings mean ({@code /api/%70roducts} may be the product list or a 404), so such a request
 * goes to the application uncached: the cache never files it under another spelling's entry, and
 * never keeps an alias that a write to the canonical URL could not purge. Query parameters are
 * form-decoded, in request order; parameter order does not matter for keys. Raw bytes outside
 * printable ASCII, broken escapes and invalid UTF-8 are rejected.
 *
 * <p>{@link #forPurge} is the lenient reading used for writes: whatever spelling a write used, it
 * purges the canonical URL the application most likely read it as.
 */
final class RequestTarget {
  private final List<String> segments;
  /** The raw query, checked to decode: parameters are decoded only when a key asks for them. */
  private final String rawQuery;
  private final @Nullable BypassReason rejection;

  private RequestTarget(List<String> segments, String rawQuery, @Nullable BypassReason rejection) {
    this.segments = segments;
    this.rawQuery = rawQuery;
    this.rejection = rejection;
  }

  private static RequestTarget rejected(BypassReason reason) {
    return new RequestTarget(List.of(), "", reason);
  }

  /** The strict reading, for requests the cache may answer. */
  static RequestTarget parse(CacheRequest request, int maxTargetLength) {
    String path = request.path();
    String rawQuery = request.rawQuery();
    if (path.length() + rawQuery.length() + 1 > maxTargetLength) {
      return rejected(BypassReason.OVERSIZE_URL);
    }
    PathReading reading = readPath(path);
    if (reading.rejection() != null) {
      return rejected(reading.rejection());
    }
    BypassReason query = queryRejection(rawQuery);
    if (query != null) {
      return rejected(query);
    }
    return new RequestTarget(reading.segments(), rawQuery, null);
  }

  /**
   * A path's strict reading: its segments in canonical spelling, or why the cache may not answer it.
   * It depends on the path alone, so the engine remembers it per path.
   */
  record PathReading(List<String> segments, @Nullable BypassReason rejection) {}

  /** The strict reading of {@code path}, without its query. */
  static PathReading readPath(String path) {
    if (path.isEmpty() || path.charAt(0) != '/' || !printableAscii(path)) {
      return new PathReading(List.of(), BypassReason.INVALID_PATH);
    }
    List<String> raw = Route.splitSegments(path);
    if (raw == null) {
      return new PathReading(List.of(), BypassReason.AMBIGUOUS_PATH);
    }
    BypassReason nonCanonical = null;
    if (path.length() > 1 && path.charAt(path.length() - 1) == '/') {
      nonCanonical = BypassReason.NON_CANONICAL_PATH;
    }
    for (String s : raw) {
      BypassReason problem = checkSegment(s);
      if (problem != null && problem != BypassReason.NON_CANONICAL_PATH) {
        return new PathReading(List.of(), problem);
      }
      if (problem != null) {
        nonCanonical = problem;
      }
    }
    if (nonCanonical != null) {
      return new PathReading(List.of(), nonCanonical);
    }
    return new PathReading(List.copyOf(raw), null);
  }

  /** Null when {@code rawQuery} is printable ASCII whose every name and value form-decodes, else why not. */
  static @Nullable BypassReason queryRejection(String rawQuery) {
    return printableAscii(rawQuery) && queryDecodes(rawQuery) ? null : BypassReason.INVALID_QUERY;
  }

  /**
   * The segments of {@code path} (no query) as a write to it most likely meant them: path
   * parameters dropped, unreserved escapes decoded and the others upper-cased, empty and dot
   * segments resolved, a trailing slash dropped. Empty when the path is not absolute.
   */
  static Optional<List<String>> forPurge(String path) {
    if (path.isEmpty() || path.charAt(0) != '/') {
      return Optional.empty();
    }
    Deque<String> out = new ArrayDeque<>();
    for (String s : path.substring(1).split("/", -1)) {
      int semi = s.indexOf(';');
      String n = normaliseEscapes(semi < 0 ? s : s.substring(0, semi));
      if (n.isEmpty() || n.equals(".")) {
        continue;
      }
      if (n.equals("..")) {
        out.pollLast();
        continue;
      }
      out.addLast(n);
    }
    return Optional.of(List.copyOf(out));
  }

  /** Null for a segment in canonical spelling, else why not. */
  private static @Nullable BypassReason checkSegment(String s) {
    BypassReason problem = null;
    StringBuilder decoded = null;
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c == ';' || c == '\\') {
        problem = BypassReason.NON_CANONICAL_PATH;
        continue;
      }
      if (c != '%') {
        if (decoded != null) {
          decoded.append(c);
        }
        continue;
      }
      if (i + 2 >= s.length()) {
        return BypassReason.INVALID_PATH;
      }
      int hi = Character.digit(s.charAt(i + 1), 16);
      int lo = Character.digit(s.charAt(i + 2), 16);
      if (hi < 0 || lo < 0) {
        return BypassReason.INVALID_PATH;
      }
      char value = (char) (hi * 16 + lo);
      if (isUnreserved(value) || Character.isLowerCase(s.charAt(i + 1)) || Character.isLowerCase(s.charAt(i + 2))) {
        problem = BypassReason.NON_CANONICAL_PATH;
      }
      if (decoded == null) {
        decoded = new StringBuilder(s.substring(0, i));
      }
      decoded.append(value);
      i += 2;
    }
    String plain = decoded == null ? s : decoded.toString();
    if (plain.equals(".") || plain.equals("..")) {
      return BypassReason.AMBIGUOUS_PATH;
    }
    return problem;
  }

  /** Decodes escaped unreserved characters and upper-cases the other escapes; broken escapes stay. */
  private static String normaliseEscapes(String s) {
    if (s.indexOf('%') < 0) {
      return s;
    }
    StringBuilder b = new StringBuilder(s.length());
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      int hi = c == '%' && i + 2 < s.length() ? Character.digit(s.charAt(i + 1), 16) : -1;
      int lo = hi >= 0 ? Character.digit(s.charAt(i + 2), 16) : -1;
      if (lo < 0) {
        b.append(c);
        continue;
      }
      char decoded = (char) (hi * 16 + lo);
      if (isUnreserved(decoded)) {
        b.append(decoded);
      } else {
        b.append('%').append(Character.toUpperCase(s.charAt(i + 1))).append(Character.toUpperCase(s.charAt(i + 2)));
      }
      i += 2;
    }
    return b.toString();
  }

  private static boolean printableAscii(String s) {
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c <= ' ' || c >= 0x7f) {
        return false;
      }
    }
    return true;
  }

  private static boolean isUnreserved(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
        || c == '-' || c == '.' || c == '_' || c == '~';
  }

  /** Form-decodes {@code s[from, to)} (printable ASCII) as UTF-8; null when malformed. */
  private static @Nullable String formDecode(String s, int from, int to) {
    boolean plain = true;
    for (int i = from; i < to; i++) {
      char c = s.charAt(i);
      if (c == '%' || c == '+') {
        plain = false;
        break;
      }
    }
    if (plain) {
      return s.substring(from, to);
    }
    ByteArrayOutputStream bytes = new ByteArrayOutputStream(to - from);
    for (int i = from; i < to; i++) {
      char c = s.charAt(i);
      if (c == '+') {
        bytes.write(' ');
      } else if (c == '%') {
        if (i + 2 >= to) {
          return null;
        }
        int hi = Character.digit(s.charAt(i + 1), 16);
        int lo = Character.digit(s.charAt(i + 2), 16);
        if (hi < 0 || lo < 0) {
          return null;
        }
        bytes.write(hi * 16 + lo);
        i += 2;
      } else {
        bytes.write(c);
      }
    }
    try {
      return StandardCharsets.UTF_8.newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT)
          .decode(ByteBuffer.wrap(bytes.toByteArray()))
          .toString();
    } catch (CharacterCodingException e) {
      return null;
    }
  }

  /** Null when the target is usable; otherwise the bypass reason. */
  @Nullable BypassReason rejection() {
    return rejection;
  }

  /** The path's segments, in canonical spelling. */
  List<String> segments() {
    return segments;
  }

  /** The decoded values of query parameter {@code name}, in request order; empty when absent. */
  List<String> queryValues(String name) {
    return queryValues(rawQuery, name);
  }

  /**
   * The decoded values of parameter {@code name} in {@code rawQuery}, which {@link #queryRejection}
   * accepted, in request order; empty when absent.
   */
  static List<String> queryValues(String rawQuery, String name) {
    List<String> found = null;
    int start = 0;
    while (start <= rawQuery.length()) {
      int amp = rawQuery.indexOf('&', start);
      int end = amp < 0 ? rawQuery.length() : amp;
      if (end > start) {
        int eq = rawQuery.indexOf('=', start);
        int nameEnd = eq < 0 || eq > end ? end : eq;
        if (nameIs(rawQuery, name, start, nameEnd)) {
          String value = nameEnd == end ? "" : formDecode(rawQuery, nameEnd + 1, end); // checked to decode
          if (found == null) {
            found = new ArrayList<>(1);
          }
          found.add(value);
        }
      }
      if (amp < 0) {
        break;
      }
      start = amp + 1;
    }
    return found == null ? List.of() : found;
  }

  /** Whether the parameter name at {@code rawQuery[from, to)} decodes to {@code name}. */
  private static boolean nameIs(String rawQuery, String name, int from, int to) {
    boolean plain = true;
    for (int i = from; i < to && plain; i++) {
      char c = rawQuery.charAt(i);
      plain = c != '%' && c != '+';
    }
    if (plain) {
      return to - from == name.length() && rawQuery.regionMatches(from, name, 0, name.length());
    }
    return name.equals(formDecode(rawQuery, from, to));
  }

  /** Whether every parameter name and value of {@code rawQuery} form-decodes (escapes, UTF-8). */
  private static boolean queryDecodes(String rawQuery) {
    if (rawQuery.indexOf('%') < 0) {
      return true; // without escapes every byte is printable ASCII, checked already
    }
    int start = 0;
    while (start <= rawQuery.length()) {
      int amp = rawQuery.indexOf('&', start);
      int end = amp < 0 ? rawQuery.length() : amp;
      int eq = rawQuery.indexOf('=', start);
      if (eq < 0 || eq > end) {
        eq = end;
      }
      if (formDecode(rawQuery, start, eq) == null || (eq < end && formDecode(rawQuery, eq + 1, end) == null)) {
        return false;
      }
      if (amp < 0) {
        break;
      }
      start = amp + 1;
    }
    return true;
  }
}
