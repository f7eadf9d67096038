package dev.apicache.http;

import static java.util.Objects.requireNonNull;

import dev.apicache.Bytes;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * An HTTP entity tag (RFC 9110 §8.8.3): an opaque quoted string, optionally weak ({@code W/"..."}).
 *
 * <p>Immutable; equality is by value (weakness included). {@link #toString()} is the wire form.
 * Comparison follows RFC 9110 §8.8.3.2: {@link #strongMatches} needs both tags strong,
 * {@link #weakMatches} ignores weakness, which is what {@code If-None-Match} uses.
 *
 * @since 0.1
 */
public final class EntityTag {
  private final boolean weak;
  private final String opaque;

  private EntityTag(boolean weak, String opaque) {
    this.weak = weak;
    this.opaque = opaque;
  }

  /** A strong tag with the given opaque value (without quotes). */
  public static EntityTag strong(String opaque) {
    return new EntityTag(false, validOpaque(opaque));
  }

  /** A weak tag with the given opaque value (without quotes). */
  public static EntityTag weak(String opaque) {
    return new EntityTag(true, validOpaque(opaque));
  }

  /** A strong tag from 128 bits of SHA-256 of {@code body}: what the engine gives responses without one. */
  public static EntityTag ofBody(Bytes body) {
    MessageDigest digest;
    try {
      digest = MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
    digest.update(body.asReadOnlyBuffer());
    return new EntityTag(false, Base64.getUrlEncoder().withoutPadding()
        .encodeToString(Arrays.copyOf(digest.digest(), 16)));
  }

  /** Parses the wire form {@code "abc"} or {@code W/"abc"}; throws {@link IllegalArgumentException} otherwise. */
  public static EntityTag parse(String text) {
    return tryParse(text).orElseThrow(() -> new IllegalArgumentException("not an entity tag: '" + text + "'"));
  }

  /** Parses the wire form, or returns empty when {@code text} is not one entity tag. */
  public static Optional<EntityTag> tryParse(String text) {
    requireNonNull(text, "text");
    String t = text.trim();
    Scanner s = new Scanner(t);
    EntityTag tag = s.next();
    return tag != null && s.atEnd() ? Optional.of(tag) : Optional.empty();
  }

  /**
   * Parses an {@code If-None-Match} field value list: {@code *} or comma-separated entity tags.
   * Several field lines are one list. Empty when any part is malformed.
   */
  public static Optional<IfNoneMatch> parseIfNoneMatch(List<String> fieldValues) {
    List<EntityTag> tags = new ArrayList<>();
    boolean any = false;
    for (String value : fieldValues) {
      String v = value.trim();
      if (v.equals("*")) {
        any = true;
        continue;
      }
      Scanner s = new Scanner(v);
      while (true) {
        s.skipSpaces();
        if (s.atEnd()) {
          break;
        }
        if (s.peek() == ',') { // empty list elements are allowed (RFC 9110 §5.6.1)
          s.pos++;
          continue;
        }
        EntityTag tag = s.next();
        if (tag == null) {
          return Optional.empty();
        }
        tags.add(tag);
        s.skipSpaces();
        if (!s.atEnd() && s.peek() != ',') {
          return Optional.empty();
        }
      }
    }
    if (any && !tags.isEmpty()) {
      return Optional.empty(); // "*" must stand alone
    }
    if (!any && tags.isEmpty()) {
      return Optional.empty();
    }
    return Optional.of(new IfNoneMatch(any, List.copyOf(tags)));
  }

  /**
   * A parsed {@code If-None-Match}: {@code *} ({@code any}) or a list of tags.
   *
   * @param any whether the field was {@code *}
   * @param tags the listed tags, in order; empty when {@code any}
   */
  public record IfNoneMatch(boolean any, List<EntityTag> tags) {
    /** A condition; {@code tags} is copied. */
    public IfNoneMatch {
      tags = List.copyOf(tags);
    }

    /** Whether a representation tagged {@code current} matches, by weak comparison (RFC 9110 §13.1.2). */
    public boolean matches(EntityTag current) {
      if (any) {
        return true;
      }
      for (EntityTag t : tags) {
        if (t.weakMatches(current)) {
          return true;
        }
      }
      return false;
    }
  }

  /** Whether the tag is weak ({@code W/"..."}). */
  public boolean isWeak() {
    return weak;
  }

  /** The opaque value without quotes. */
  public String opaque() {
    return opaque;
  }

  /** Strong comparison: both strong and the same opaque value. */
  public boolean strongMatches(EntityTag other) {
    return !weak && !other.weak && opaque.equals(other.opaque);
  }

  /** Weak comparison: the same opaque value, whatever the weakness. */
  public boolean weakMatches(EntityTag other) {
    return opaque.equals(other.opaque);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof EntityTag t && t.weak == weak && t.opaque.equals(opaque);
  }

  @Override
  public int hashCode() {
    return opaque.hashCode() * 2 + (weak ? 1 : 0);
  }

  /** The wire form: {@code "abc"} or {@code W/"abc"}. */
  @Override
  public String toString() {
    return (weak ? "W/\"" : "\"") + opaque + '"';
  }

  private static boolean isEtagChar(char c) {
    return c == 0x21 || (c >= 0x23 && c <= 0x7E) || (c >= 0x80 && c <= 0xFF);
  }

  private static String validOpaque(String opaque) {
    requireNonNull(opaque, "opaque");
    for (int i = 0; i < opaque.length(); i++) {
      if (!isEtagChar(opaque.charAt(i))) {
        throw new IllegalArgumentException("invalid character at " + i + " in entity tag value '" + opaque + "'");
      }
    }
    return opaque;
  }

  private static final class Scanner {
    private final String s;
    private int pos;

    Scanner(String s) {
      this.s = s;
    }

    boolean atEnd() {
      return pos >= s.length();
    }

    char peek() {
      return s.charAt(pos);
    }

    void skipSpaces() {
      while (pos < s.length() && (s.charAt(pos) == ' ' || s.charAt(pos) == '\t')) {
        pos++;
      }
    }

    /** Reads one entity tag at the current position, or returns null. */
    @Nullable EntityTag next() {
      boolean weak = false;
      if (s.startsWith("W/", pos)) {
        weak = true;
        pos += 2;
      }
      if (atEnd() || peek() != '"') {
        return null;
      }
      int start = ++pos;
      while (pos < s.length() && s.charAt(pos) != '"') {
        if (!isEtagChar(s.charAt(pos))) {
          return null;
        }
        pos++;
      }
      if (atEnd()) {
        return null;
      }
      String opaque = s.substring(start, pos);
      pos++;
      return new EntityTag(weak, opaque);
    }
  }
}
