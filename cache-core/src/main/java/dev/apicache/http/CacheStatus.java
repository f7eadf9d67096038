package dev.apicache.http;

import static java.util.Objects.requireNonNull;

import dev.apicache.BypassReason;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.OptionalLong;
import org.jspecify.annotations.Nullable;

/**
 * One entry of the RFC 9211 {@code Cache-Status} response field, as this cache writes it:
 * {@code apicache; hit; ttl=12; key="..."} or {@code apicache; fwd=miss; fwd-status=200; stored}.
 * Immutable; the {@code with} methods return a copy. {@link #toString()} is the field value and
 * {@link #parse} reads it back, so tests and tools need not split the string themselves.
 *
 * @since 0.1
 */
public final class CacheStatus {
  /** The cache's name in the field. */
  public static final String NAME = "apicache";

  private final boolean hit;
  private final @Nullable String fwd;
  private final int fwdStatus;
  private final @Nullable Long ttl;
  private final boolean stored;
  private final boolean collapsed;
  private final @Nullable String key;
  private final @Nullable String detail;

  private CacheStatus(boolean hit, @Nullable String fwd, int fwdStatus, @Nullable Long ttl, boolean stored,
      boolean collapsed, @Nullable String key, @Nullable String detail) {
    this.hit = hit;
    this.fwd = fwd;
    this.fwdStatus = fwdStatus;
    this.ttl = ttl;
    this.stored = stored;
    this.collapsed = collapsed;
    this.key = key;
    this.detail = detail;
  }

  /** Served from the cache, with {@code ttlSeconds} of freshness left (negative once stale). */
  public static CacheStatus hit(long ttlSeconds) {
    return new CacheStatus(true, null, 0, ttlSeconds, false, false, null, null);
  }

  /** Forwarded to the origin, for the RFC 9211 reason {@code fwd} ({@code miss}, {@code stale}, {@code method}, {@code bypass}). */
  public static CacheStatus forwarded(String fwd) {
    return new CacheStatus(false, requireToken(fwd, "fwd"), 0, null, false, false, null, null);
  }

  /** Forwarded because the cache stayed out of the request. */
  public static CacheStatus bypassed(BypassReason reason) {
    requireNonNull(reason, "reason");
    return forwarded(reason.isMethod() ? "method" : "bypass").withDetail(reason.token());
  }

  /** A served stale copy that was also forwarded (stale-if-error): {@code hit} with {@code fwd}. */
  public CacheStatus withForward(String fwd) {
    return new CacheStatus(hit, requireToken(fwd, "fwd"), fwdStatus, ttl, stored, collapsed, key, detail);
  }

  /** The status the origin answered with. */
  public CacheStatus withForwardStatus(int status) {
    if (status < 100 || status > 999) {
      throw new IllegalArgumentException("fwd-status must be in [100, 999] but was " + status);
    }
    return new CacheStatus(hit, fwd, status, ttl, stored, collapsed, key, detail);
  }

  /** Whether the origin's response was stored. */
  public CacheStatus withStored(boolean value) {
    return new CacheStatus(hit, fwd, fwdStatus, ttl, value, collapsed, key, detail);
  }

  /** Whether the response came from another request's origin call. */
  public CacheStatus withCollapsed(boolean value) {
    return new CacheStatus(hit, fwd, fwdStatus, ttl, stored, value, key, detail);
  }

  /** A short, non-reversible digest of the key (eight hex digits of a hash of the key). */
  public CacheStatus withKey(String shortHash) {
    requireNonNull(shortHash, "shortHash");
    if (shortHash.indexOf('"') >= 0 || shortHash.indexOf('\\') >= 0) {
      throw new IllegalArgumentException("key must not contain quotes or backslashes: " + shortHash);
    }
    return new CacheStatus(hit, fwd, fwdStatus, ttl, stored, collapsed, shortHash, detail);
  }

  /** An apicache-specific detail token, such as {@code stale-while-revalidate} or {@code no-policy}. */
  public CacheStatus withDetail(String token) {
    return new CacheStatus(hit, fwd, fwdStatus, ttl, stored, collapsed, key, requireToken(token, "detail"));
  }

  /** Whether the response was served from the cache. */
  public boolean isHit() {
    return hit;
  }

  /** The RFC 9211 {@code fwd} parameter, when the request was forwarded. */
  public Optional<String> forward() {
    return Optional.ofNullable(fwd);
  }

  /** The origin's status, when it was asked. */
  public OptionalInt forwardStatus() {
    return fwdStatus == 0 ? OptionalInt.empty() : OptionalInt.of(fwdStatus);
  }

  /** Seconds of freshness left on a hit. */
  public OptionalLong ttl() {
    return ttl == null ? OptionalLong.empty() : OptionalLong.of(ttl);
  }

  /** Whether the origin's response was stored. */
  public boolean isStored() {
    return stored;
  }

  /** Whether the response came from another request's origin call. */
  public boolean isCollapsed() {
    return collapsed;
  }

  /** The key digest, when there was a key. */
  public Optional<String> key() {
    return Optional.ofNullable(key);
  }

  /** The detail token, when there is one. */
  public Optional<String> detail() {
    return Optional.ofNullable(detail);
  }

  /**
   * Reads an apicache entry of a {@code Cache-Status} field value; empty when {@code value} has
   * none. Other caches' entries (before or after, comma-separated) are skipped.
   */
  public static Optional<CacheStatus> parse(String value) {
    requireNonNull(value, "value");
    for (String member : value.split(",")) {
      String[] params = member.split(";");
      if (!params[0].trim().equals(NAME)) {
        continue;
      }
      CacheStatus s = new CacheStatus(false, null, 0, null, false, false, null, null);
      for (int i = 1; i < params.length; i++) {
        String p = params[i].trim();
        int eq = p.indexOf('=');
        String name = eq < 0 ? p : p.substring(0, eq);
        String v = eq < 0 ? "" : p.substring(eq + 1);
        try {
          s = switch (name) {
            case "hit" -> new CacheStatus(true, s.fwd, s.fwdStatus, s.ttl, s.stored, s.collapsed, s.key, s.detail);
            case "fwd" -> s.withForward(v);
            case "fwd-status" -> s.withForwardStatus(Integer.parseInt(v));
            case "ttl" -> new CacheStatus(s.hit, s.fwd, s.fwdStatus, Long.parseLong(v), s.stored, s.collapsed, s.key,
                s.detail);
            case "stored" -> s.withStored(true);
            case "collapsed" -> s.withCollapsed(true);
            case "key" -> s.withKey(v.length() >= 2 && v.startsWith("\"") && v.endsWith("\"")
                ? v.substring(1, v.length() - 1) : v);
            case "detail" -> s.withDetail(v);
            default -> s; // a parameter a later version may add
          };
        } catch (IllegalArgumentException malformed) {
          return Optional.empty();
        }
      }
      return Optional.of(s);
    }
    return Optional.empty();
  }

  private static String requireToken(String token, String what) {
    requireNonNull(token, what);
    if (token.isEmpty()) {
      throw new IllegalArgumentException(what + " must not be empty");
    }
    for (int i = 0; i < token.length(); i++) {
      char c = token.charAt(i);
      if (!(Character.isLetterOrDigit(c) && c < 0x80) && c != '-' && c != '_' && c != '.' && c != '*' && c != ':'
          && c != '/') {
        throw new IllegalArgumentException(what + " must be an sf-token but was " + token);
      }
    }
    return token;
  }

  /** The field value, parameters in RFC 9211's order. */
  @Override
  public String toString() {
    StringBuilder b = new StringBuilder(96).append(NAME);
    if (hit) {
      b.append("; hit");
    }
    if (fwd != null) {
      b.append("; fwd=").append(fwd);
    }
    if (fwdStatus != 0) {
      b.append("; fwd-status=").append(fwdStatus);
    }
    if (ttl != null) {
      b.append("; ttl=").append(ttl);
    }
    if (stored) {
      b.append("; stored");
    }
    if (collapsed) {
      b.append("; collapsed");
    }
    if (key != null) {
      b.append("; key=\"").append(key).append('"');
    }
    if (detail != null) {
      b.append("; detail=").append(detail);
    }
    return b.toString();
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof CacheStatus s && hit == s.hit && fwdStatus == s.fwdStatus && stored == s.stored && collapsed == s.collapsed
        && java.util.Objects.equals(ttl, s.ttl) && java.util.Objects.equals(fwd, s.fwd)
        && java.util.Objects.equals(key, s.key) && java.util.Objects.equals(detail, s.detail);
  }

  @Override
  public int hashCode() {
    return java.util.Objects.hash(hit, fwdStatus, stored, collapsed, ttl, fwd, key, detail);
  }
}
