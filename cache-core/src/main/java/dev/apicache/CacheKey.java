package dev.apicache;

import static java.util.Objects.requireNonNull;

import dev.apicache.spi.EntryKey;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * The identity of one stored response: policy, method class, normalised path and each vary value
 * in the policy's declared order.
 *
 * <p>The parts are encoded injectively (each is length-prefixed, lists are counted, and an absent
 * value is distinct from an empty one), so two different part lists never share a key. The
 * encoding is the key itself: {@link #storeKey()} names the entry by a short readable partition (the
 * policy) and the encoding, which in-process stores compare and hash as a string, and remote stores
 * hash into a bounded name of their own (checking the full key on read, so that a collision is a
 * miss). No cryptographic digest is computed per request. {@link #toString()} and
 * {@link #shortHash()} never show the parts. Immutable; equality by value.
 */
final class CacheKey {
  private final String encoded;
  private final EntryKey entryKey;
  /** Computed on first use; the same whichever thread computes it. */
  private @Nullable String shortHash;

  private CacheKey(String encoded, String prefix) {
    this.encoded = encoded;
    this.entryKey = new EntryKey(prefix, encoded);
  }

  /** Starts a key for {@code policyId}, {@code methodClass} (GET for GET and HEAD) and a normalised path. */
  public static Builder builder(String policyId, String methodClass, String normalisedPath) {
    return new Builder(policyId, methodClass, normalisedPath);
  }

  /** As {@link #builder(String, String, String)} for {@code policy}, whose partition it already knows. */
  static Builder builder(CachePolicy policy, String methodClass, String normalisedPath) {
    return new Builder(policy.id(), policy.partition(), methodClass, normalisedPath);
  }

  /** A builder that continues {@code encoding}, a {@link Builder#encoding} of a builder for {@code policy}. */
  static Builder continuing(CachePolicy policy, String encoding) {
    return new Builder(policy.partition(), encoding);
  }

  /**
   * Starts the key of a variant of {@code base} (RFC 9111 §4.1): in the same partition, distinct
   * from {@code base} and from every key {@link #builder} makes, whatever parts follow.
   */
  static Builder variantOf(CacheKey base) {
    return new Builder(base);
  }

  /**
   * The partition of a policy's keys and counters: a readable, bounded form of its id (at most 40
   * printable characters, no {@code |}). Every store key and counter of the policy is in it.
   */
  public static String partitionOf(String policyId) {
    return Builder.readable(requireNonNull(policyId, "policyId"));
  }

  /** The partition this key belongs to; see {@link #partitionOf}. */
  public String partition() {
    return entryKey.partition();
  }

  /** The key as stores see it: the partition and the injective encoding of the parts. */
  public EntryKey storeKey() {
    return entryKey;
  }

  /** The partition and the {@linkplain #shortHash short hash}: for logs, never the parts. */
  @Override
  public String toString() {
    return "CacheKey[" + entryKey.partition() + " " + shortHash() + "]";
  }

  /**
   * A short hash for logs and the {@code Cache-Status} header: never the URL or its values. It is
   * not a digest (two keys may share one); it costs nothing on a hit, where the store already
   * hashed the key.
   */
  public String shortHash() {
    String known = shortHash;
    if (known == null) {
      known = computeShortHash();
      shortHash = known;
    }
    return known;
  }

  private String computeShortHash() {
    int h = entryKey.hashCode() * 0x9E3779B1;
    char[] out = new char[8];
    for (int i = 7; i >= 0; i--) {
      out[i] = HEX[h & 0xf];
      h >>>= 4;
    }
    return new String(out);
  }

  private static final char[] HEX = "0123456789abcdef".toCharArray();

  @Override
  public boolean equals(Object o) {
    return o instanceof CacheKey k && k.entryKey.equals(entryKey);
  }

  @Override
  public int hashCode() {
    return entryKey.hashCode();
  }

  /** Collects a key's parts in order; not thread-safe. */
  public static final class Builder {
    private final StringBuilder encoding = new StringBuilder(96);
    private final String prefix;

    private Builder(String policyId, String methodClass, String normalisedPath) {
      this(requireNonNull(policyId, "policyId"), readable(policyId), methodClass, normalisedPath);
    }

    private Builder(String policyId, String partition, String methodClass, String normalisedPath) {
      this.prefix = partition;
      part(policyId);
      part(requireNonNull(methodClass, "methodClass"));
      part(requireNonNull(normalisedPath, "normalisedPath"));
    }

    private Builder(String partition, String encoding) {
      this.prefix = partition;
      this.encoding.append(encoding);
    }

    private Builder(CacheKey base) {
      this.prefix = base.partition();
      encoding.append('V'); // keys from policies start with '+', so none equals a variant's
      part(base.encoded);
    }

    /** Appends a present value (possibly empty): its length in chars, then the chars, so any value is safe. */
    public Builder part(String value) {
      encoding.append('+').append(value.length()).append(':').append(value);
      return this;
    }

    /**
     * Appends a list of values (all values of a query parameter or header, in request order); an
     * absent parameter is the empty list, which never equals a list holding one empty value.
     */
    public Builder values(List<String> list) {
      encoding.append('#').append(list.size());
      for (String v : list) {
        part(v);
      }
      return this;
    }

    /** The encoding of the parts added so far, to {@linkplain #continuing continue} later. */
    String encoding() {
      return encoding.toString();
    }

    /** The key of the parts added so far. */
    public CacheKey build() {
      return new CacheKey(encoding.toString(), prefix);
    }

    private static String readable(String policyId) {
      StringBuilder b = new StringBuilder(Math.min(policyId.length(), 40));
      for (int i = 0; i < policyId.length() && b.length() < 40; i++) {
        char c = policyId.charAt(i);
        b.append(c > 32 && c < 127 && c != '|' ? c : '_');
      }
      return b.toString();
    }
  }
}
