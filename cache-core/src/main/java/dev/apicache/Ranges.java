package dev.apicache;

import dev.apicache.http.HeaderNames;
import java.util.Optional;

/**
 * A single byte range answered from a stored complete response (RFC 9110 §14): {@code bytes=a-b},
 * {@code bytes=a-} or {@code bytes=-n}. Anything else (several ranges, another unit, a malformed
 * header, an {@code If-Range} the entry does not match) is answered with the whole response, as a
 * server may; a range that starts past the end gets 416.
 */
final class Ranges {
  private Ranges() {}

  /** Whether {@code value} is a range this class answers; other Range requests go to the origin as sent. */
  static boolean answerable(String value) {
    return parse(value, Long.MAX_VALUE).isPresent() || unsatisfiableForm(value);
  }

  /** The part of {@code full} (a 200 from the cache, identity-encoded) that {@code request} asks for. */
  static CacheResponse apply(Headers request, CacheResponse full) {
    Optional<String> range = request.first(HeaderNames.RANGE);
    if (range.isEmpty() || full.status() != 200 || full.headers().contains(HeaderNames.CONTENT_ENCODING)
        || request.all(HeaderNames.RANGE).size() != 1 || !ifRangeHolds(request, full.headers())) {
      return full;
    }
    int length = full.body().size();
    if (unsatisfiableForm(range.get()) && parse(range.get(), length).isEmpty()) {
      return CacheResponse.builder(416).header(HeaderNames.CONTENT_RANGE, "bytes */" + length)
          .header(HeaderNames.X_CACHE, full.headers().first(HeaderNames.X_CACHE).orElse("HIT"))
          .header(HeaderNames.CACHE_STATUS, full.headers().first(HeaderNames.CACHE_STATUS).orElse(""))
          .build();
    }
    Optional<long[]> span = parse(range.get(), length);
    if (span.isEmpty()) {
      return full;
    }
    int from = (int) span.get()[0];
    int to = (int) span.get()[1];
    CacheResponse.Builder b = full.toBuilder().status(206)
        .setHeader(HeaderNames.CONTENT_RANGE, "bytes " + from + "-" + (to - 1) + "/" + length)
        .removeHeader(HeaderNames.CONTENT_LENGTH);
    return b.body(full.body().slice(from, to)).build();
  }

  /** {@code [from, to)} within {@code length} bytes, or empty when the value is not one satisfiable byte range. */
  private static Optional<long[]> parse(String value, long length) {
    String v = value.strip();
    if (!v.regionMatches(true, 0, "bytes=", 0, 6) || v.indexOf(',') >= 0) {
      return Optional.empty();
    }
    String spec = v.substring(6).strip();
    int dash = spec.indexOf('-');
    if (dash < 0) {
      return Optional.empty();
    }
    try {
      String first = spec.substring(0, dash).strip();
      String last = spec.substring(dash + 1).strip();
      if (first.isEmpty()) {
        long suffix = digits(last);
        if (suffix <= 0 || length == 0) {
          return Optional.empty();
        }
        return Optional.of(new long[] {Math.max(0, length - suffix), length});
      }
      long from = digits(first);
      long to = last.isEmpty() ? length - 1 : Math.min(digits(last), length - 1);
      if (!last.isEmpty() && digits(last) < from) {
        return Optional.empty();
      }
      if (from >= length) {
        return Optional.empty();
      }
      return Optional.of(new long[] {from, to + 1});
    } catch (NumberFormatException e) {
      return Optional.empty();
    }
  }

  /** A well-formed single range, satisfiable or not. */
  private static boolean unsatisfiableForm(String value) {
    String v = value.strip();
    return v.regionMatches(true, 0, "bytes=", 0, 6) && v.indexOf(',') < 0
        && v.substring(6).strip().matches("\\d+-\\d*");
  }

  private static long digits(String s) {
    if (s.isEmpty() || s.length() > 18 || !s.chars().allMatch(Character::isDigit)) {
      throw new NumberFormatException(s);
    }
    return Long.parseLong(s);
  }

  /** {@code If-Range} (§13.1.5): absent, or the entry's strong entity tag, or its exact Last-Modified. */
  private static boolean ifRangeHolds(Headers request, Headers response) {
    Optional<String> ifRange = request.first(HeaderNames.IF_RANGE);
    if (ifRange.isEmpty()) {
      return true;
    }
    String v = ifRange.get().strip();
    if (v.startsWith("\"")) {
      return response.first(HeaderNames.ETAG).map(String::strip).filter(t -> t.equals(v)).isPresent();
    }
    return response.first(HeaderNames.LAST_MODIFIED).map(String::strip).filter(v::equals).isPresent();
  }
}
