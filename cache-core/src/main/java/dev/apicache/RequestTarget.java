package dev.apicache;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A request's path and query, normalised for matching and keys, or the reason they cannot be.
 *
 * <p>Path: percent-encoded unreserved characters are decoded and other escapes upper-cased
 * (RFC 3986 §6.2.2), so equivalent spellings share a key. Paths with empty segments, dot segments
 * (plain or encoded) or broken escapes are rejected: the origin may resolve them differently from
 * us, so caching them could file one resource's response under another's key. Query: parameters are
 * form-decoded; their order does not matter for keys. A broken escape or invalid UTF-8 is rejected.
 */
final class RequestTarget {
  private final List<String> segments;
  private final String normalisedPath;
  private final Map<String, List<String>> query;
  private final String rejection;

  private RequestTarget(List<String> segments, String normalisedPath, Map<String, List<String>> query, String rejection) {
    this.segments = segments;
    this.normalisedPath = normalisedPath;
    this.query = query;
    this.rejection = rejection;
  }

  private static RequestTarget rejected(String reason) {
    return new RequestTarget(List.of(), "", Map.of(), reason);
  }

  static RequestTarget parse(CacheRequest request, int maxTargetLength) {
    String path = request.path();
    String rawQuery = request.rawQuery();
    if (path.length() + rawQuery.length() + 1 > maxTargetLength) {
      return rejected("oversize-url");
    }
    if (path.isEmpty() || path.charAt(0) != '/') {
      return rejected("invalid-path");
    }
    List<String> raw = Route.splitSegments(path);
    if (raw == null) {
      return rejected("ambiguous-path");
    }
    List<String> segments = new ArrayList<>(raw.size());
    StringBuilder normalised = new StringBuilder(path.length());
    for (String s : raw) {
      String n = normaliseSegment(s);
      if (n == null) {
        return rejected("invalid-path");
      }
      if (n.equals(".") || n.equals("..")) {
        return rejected("ambiguous-path");
      }
      segments.add(n);
      normalised.append('/').append(n);
    }
    if (path.length() > 1 && path.charAt(path.length() - 1) == '/') {
      normalised.append('/');
    }
    if (normalised.length() == 0) {
      normalised.append('/');
    }
    Map<String, List<String>> query = parseQuery(rawQuery);
    if (query == null) {
      return rejected("invalid-query");
    }
    return new RequestTarget(segments, normalised.toString(), query, null);
  }

  /** Decodes escaped unreserved characters, upper-cases the other escapes; null if malformed. */
  private static String normaliseSegment(String s) {
    if (s.indexOf('%') < 0) {
      return s;
    }
    StringBuilder b = new StringBuilder(s.length());
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c != '%') {
        b.append(c);
        continue;
      }
      if (i + 2 >= s.length()) {
        return null;
      }
      int hi = Character.digit(s.charAt(i + 1), 16);
      int lo = Character.digit(s.charAt(i + 2), 16);
      if (hi < 0 || lo < 0) {
        return null;
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

  private static boolean isUnreserved(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
        || c == '-' || c == '.' || c == '_' || c == '~';
  }

  private static Map<String, List<String>> parseQuery(String rawQuery) {
    if (rawQuery.isEmpty()) {
      return Map.of();
    }
    Map<String, List<String>> params = new HashMap<>();
    int start = 0;
    while (start <= rawQuery.length()) {
      int amp = rawQuery.indexOf('&', start);
      int end = amp < 0 ? rawQuery.length() : amp;
      if (end > start) {
        int eq = rawQuery.indexOf('=', start);
        String name;
        String value;
        if (eq < 0 || eq > end) {
          name = formDecode(rawQuery, start, end);
          value = "";
        } else {
          name = formDecode(rawQuery, start, eq);
          value = formDecode(rawQuery, eq + 1, end);
        }
        if (name == null || value == null) {
          return null;
        }
        params.computeIfAbsent(name, k -> new ArrayList<>(1)).add(value);
      }
      if (amp < 0) {
        break;
      }
      start = amp + 1;
    }
    return params;
  }

  private static String formDecode(String s, int from, int to) {
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
        int run = i;
        while (run < to && s.charAt(run) != '%' && s.charAt(run) != '+') {
          run++;
        }
        byte[] enc = s.substring(i, run).getBytes(StandardCharsets.UTF_8);
        bytes.write(enc, 0, enc.length);
        i = run - 1;
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
  String rejection() {
    return rejection;
  }

  List<String> segments() {
    return segments;
  }

  String normalisedPath() {
    return normalisedPath;
  }

  /** The decoded values of query parameter {@code name}, in request order; empty when absent. */
  List<String> queryValues(String name) {
    return query.getOrDefault(name, List.of());
  }
}
