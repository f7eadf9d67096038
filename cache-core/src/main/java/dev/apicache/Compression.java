package dev.apicache;

import static java.util.Objects.requireNonNull;

import dev.apicache.http.HeaderNames;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.zip.GZIPInputStream;
import java.util.zip.GZIPOutputStream;
import org.jspecify.annotations.Nullable;

/**
 * A policy's compression of stored bodies: which responses are stored gzip-encoded (a body of at
 * least {@link #minBytes()} whose {@code Content-Type} is one of {@link #types()}), and the codec.
 * A stored body is compressed once, when it is stored; clients that accept gzip are sent those
 * bytes, the others the decoded body. Immutable.
 *
 * @param minBytes the smallest body worth compressing
 * @param types media types ({@code application/json}), type wildcards ({@code text/*}) or structured
 *     suffixes ({@code +json}), matched case-insensitively without parameters
 *
 * @since 0.1
 */
public record Compression(int minBytes, List<String> types) {
  /** What {@link CachePolicy.Builder#compress()} uses: text-like types from 1 KiB. */
  public static final Compression DEFAULTS = new Compression(1024, List.of("application/json", "text/*",
      "application/javascript", "application/xml", "image/svg+xml", "+json", "+xml"));

  /** Checks both parts. */
  public Compression {
    if (minBytes < 0) {
      throw new IllegalArgumentException("compression minBytes must be >= 0 but was " + minBytes);
    }
    requireNonNull(types, "types");
    if (types.isEmpty()) {
      throw new IllegalArgumentException("compression needs at least one content type");
    }
    types = types.stream().map(t -> t.trim().toLowerCase(Locale.ROOT)).toList();
    for (String t : types) {
      if (t.isEmpty() || (!t.contains("/") && !t.startsWith("+"))) {
        throw new IllegalArgumentException("compression type must be type/subtype, type/* or +suffix but was '" + t
            + "'");
      }
    }
  }

  /** Whether a response with {@code headers} and a body of {@code size} bytes is stored compressed. */
  boolean applies(Headers headers, int size) {
    if (size < minBytes || headers.contains(HeaderNames.CONTENT_ENCODING)) {
      return false;
    }
    Optional<String> contentType = headers.first(HeaderNames.CONTENT_TYPE);
    if (contentType.isEmpty()) {
      return false;
    }
    String media = contentType.get();
    int semi = media.indexOf(';');
    media = (semi < 0 ? media : media.substring(0, semi)).trim().toLowerCase(Locale.ROOT);
    int slash = media.indexOf('/');
    if (slash <= 0) {
      return false;
    }
    for (String t : types) {
      if (t.startsWith("+") ? media.endsWith(t)
          : t.endsWith("/*") ? media.regionMatches(0, t, 0, t.length() - 1) : media.equals(t)) {
        return true;
      }
    }
    return false;
  }

  /** {@code body} gzip-encoded. */
  static Bytes gzip(Bytes body) {
    ByteArrayOutputStream out = new ByteArrayOutputStream(Math.max(64, body.size() / 4));
    try (GZIPOutputStream gz = new GZIPOutputStream(out, 8192)) {
      body.writeTo(gz);
    } catch (IOException e) {
      throw new UncheckedIOException(e); // in memory: cannot happen
    }
    return Bytes.wrap(out.toByteArray());
  }

  /** The body {@code gzipped} encodes; empty when it is not valid gzip. */
  static Optional<Bytes> gunzip(Bytes gzipped) {
    try (InputStream in = new GZIPInputStream(gzipped.inputStream(), 8192)) {
      return Optional.of(Bytes.wrap(in.readAllBytes()));
    } catch (IOException e) {
      return Optional.empty();
    }
  }

  /** The decoded length a gzip stream records in its trailer (modulo 2^32, so exact below 4 GiB). */
  static int decodedLength(Bytes gzipped) {
    int n = gzipped.size();
    return (gzipped.byteAt(n - 4) & 0xff) | (gzipped.byteAt(n - 3) & 0xff) << 8 | (gzipped.byteAt(n - 2) & 0xff) << 16
        | (gzipped.byteAt(n - 1) & 0xff) << 24;
  }

  /**
   * Whether a request with {@code headers} accepts gzip (RFC 9110 §12.5.3): {@code gzip} or
   * {@code x-gzip} with a weight above 0, or else {@code *} with one.
   */
  static boolean accepted(Headers headers) {
    List<String> lines = headers.all(HeaderNames.ACCEPT_ENCODING);
    if (lines.isEmpty()) {
      return false;
    }
    if (lines.size() == 1) {
      // clients repeat one value ("gzip, deflate, br"): remember the last reading
      Reading last = lastReading;
      String value = lines.get(0);
      if (last != null && last.value.equals(value)) {
        return last.gzip;
      }
      boolean gzip = parse(lines);
      lastReading = new Reading(value, gzip);
      return gzip;
    }
    return parse(lines);
  }

  private record Reading(String value, boolean gzip) {}

  private static volatile @Nullable Reading lastReading;

  private static boolean parse(List<String> lines) {
    Boolean gzip = null;
    boolean any = false;
    for (String line : lines) {
      for (String element : line.split(",")) {
        String[] parts = element.split(";");
        String coding = parts[0].trim().toLowerCase(Locale.ROOT);
        if (coding.isEmpty()) {
          continue;
        }
        boolean positive = weight(parts) > 0;
        if (coding.equals("gzip") || coding.equals("x-gzip")) {
          gzip = gzip == null ? positive : gzip && positive;
        } else if (coding.equals("*")) {
          any = positive;
        }
      }
    }
    return gzip != null ? gzip : any;
  }

  private static double weight(String[] parts) {
    for (int i = 1; i < parts.length; i++) {
      String p = parts[i].trim();
      if (p.length() > 2 && (p.charAt(0) == 'q' || p.charAt(0) == 'Q') && p.charAt(1) == '=') {
        try {
          return Double.parseDouble(p.substring(2).trim());
        } catch (NumberFormatException e) {
          return 0; // a weight we cannot read is no permission
        }
      }
    }
    return 1;
  }
}
