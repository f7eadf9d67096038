package dev.apicache;

import static java.util.Objects.requireNonNull;

import dev.apicache.spi.EntryKey;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;

/**
 * The identity of one stored response: policy, method class, normalised path and each vary value
 * in the policy's declared order.
 *
 * <p>The parts are encoded injectively (each is length-prefixed, lists are counted, and an absent
 * value is distinct from an empty one), then hashed with SHA-256, so two different part lists never share a key and
 * every key has the same size, whatever the URL. {@link #storeKey()} is the key as stores see it: a short
 * readable partition naming the policy, and the hash; {@link #toString()} is its flat form. Immutable;
 * equality by value.
 */
public final class CacheKey {
  private static final MessageDigest SHA_256;

  static {
    try {
      SHA_256 = MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new ExceptionInInitializerError(e);
    }
  }

  private final byte[] hash;
  private final EntryKey entryKey;
  private final String storeKey;

  private CacheKey(byte[] hash, String prefix) {
    this.hash = hash;
    this.entryKey = new EntryKey(prefix, Base64.getUrlEncoder().withoutPadding().encodeToString(hash));
    this.storeKey = entryKey.flat();
  }

  /** Starts a key for {@code policyId}, {@code methodClass} (GET for GET and HEAD) and a normalised path. */
  public static Builder builder(String policyId, String methodClass, String normalisedPath) {
    return new Builder(policyId, methodClass, normalisedPath);
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

  /** The key as stores see it: the partition and the hash. */
  public EntryKey storeKey() {
    return entryKey;
  }

  /** The key as stores see it: readable prefix, {@code |}, URL-safe base64 of the hash. */
  @Override
  public String toString() {
    return storeKey;
  }

  /** A short hash for logs and the {@code Cache-Status} header: never the URL or its values. */
  public String shortHash() {
    return entryKey.id().substring(0, 11);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof CacheKey k && Arrays.equals(k.hash, hash);
  }

  @Override
  public int hashCode() {
    return (hash[0] & 0xff) << 24 | (hash[1] & 0xff) << 16 | (hash[2] & 0xff) << 8 | (hash[3] & 0xff);
  }

  /** Collects a key's parts in order; not thread-safe. */
  public static final class Builder {
    private final ByteArrayOutputStream encoding = new ByteArrayOutputStream(128);
    private final String prefix;

    private Builder(String policyId, String methodClass, String normalisedPath) {
      requireNonNull(policyId, "policyId");
      this.prefix = readable(policyId);
      part(policyId);
      part(requireNonNull(methodClass, "methodClass"));
      part(requireNonNull(normalisedPath, "normalisedPath"));
    }

    private Builder(CacheKey base) {
      this.prefix = base.partition();
      encoding.write('V'); // keys from policies start with '+', so none equals a variant's
      encoding.write(base.hash, 0, base.hash.length);
    }

    /** Appends a present value (possibly empty). */
    public Builder part(String value) {
      byte[] bytes = value.getBytes(StandardCharsets.UTF_8);
      encoding.write('+');
      byte[] len = Integer.toString(bytes.length).getBytes(StandardCharsets.US_ASCII);
      encoding.write(len, 0, len.length);
      encoding.write(':');
      encoding.write(bytes, 0, bytes.length);
      return this;
    }

    /**
     * Appends a list of values (all values of a query parameter or header, in request order); an
     * absent parameter is the empty list, which never equals a list holding one empty value.
     */
    public Builder values(List<String> list) {
      encoding.write('#');
      byte[] count = Integer.toString(list.size()).getBytes(StandardCharsets.US_ASCII);
      encoding.write(count, 0, count.length);
      for (String v : list) {
        part(v);
      }
      return this;
    }

    /** The key: the hash of the parts added so far. */
    public CacheKey build() {
      MessageDigest digest;
      try {
        digest = (MessageDigest) SHA_256.clone();
      } catch (CloneNotSupportedException e) {
        throw new IllegalStateException(e);
      }
      return new CacheKey(digest.digest(encoding.toByteArray()), prefix);
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
