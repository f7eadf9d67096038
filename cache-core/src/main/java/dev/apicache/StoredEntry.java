package dev.apicache;

import dev.apicache.http.CacheStatus;
import dev.apicache.http.EntityTag;
import dev.apicache.spi.Fence;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * A stored response with what the state machine needs: when it was stored and the freshness times
 * it was stored with, so that classifying it never needs the policy that stored it.
 *
 * <p>{@code marks} are the soft-purge counters' values when the entry's fill began (see
 * {@link FenceNames#softPolicy}); a read that finds them moved {@linkplain #expiredAt ends its
 * lifetime}. When {@code gzipped}, {@code body} is the gzip encoding of the response's body (see
 * {@link Compression}); {@code etag} is always the decoded representation's.
 */
record StoredEntry(
    int status,
    Headers headers,
    Bytes body,
    EntityTag etag,
    long storedAtMillis,
    long ttlMillis,
    long swrMillis,
    long sieMillis,
    List<String> tags,
    long[] marks,
    boolean gzipped,
    Rendered rendered) {

  private static final long[] NO_MARKS = {};

  /**
   * The headers a 200 from this entry always carries, for the one policy that serves it, computed on
   * its first hit: the hit path then only appends the per-response fields. Not part of equality.
   */
  static final class Rendered {
    /** The policy and its headers, published together. */
    record ForPolicy(CachePolicy policy, Headers headers) {}

    /** For clients sent the body as stored, and (for a gzipped entry) for those sent it decoded. */
    volatile @Nullable ForPolicy asStored;
    volatile @Nullable ForPolicy decoded;
    /**
     * A gzipped entry's decoded body, once a client that does not accept gzip asked for it, up to
     * {@link #MAX_DECODED} bytes: a hot entry is then decoded once, not per request. It lives only
     * as long as this decoded entry does (the engine keeps a bounded few).
     */
    volatile @Nullable Bytes decodedBody;
    /** The last {@code Cache-Status} sent from this entry and its text: hits within a second repeat it. */
    volatile @Nullable StatusText lastStatus;
    /**
     * The last 200 sent from this entry as stored: hits within the same second, for the same policy and
     * key, send it again as it is.
     */
    volatile @Nullable HitHead lastHit;
    /**
     * False when this decoding is kept beside its entry in the store, whose weight counts a fixed
     * estimate of it: a decoded gzip body, up to {@link #MAX_DECODED}, is then not kept.
     */
    boolean keepsDecodedBody = true;
    /** The last soft-counter values (an immutable read) this entry's marks were found to hold against. */
    volatile @Nullable Fence marksHeldFor;

    /** A 200 as sent (immutable), with what it depends on beside the entry: the policy, the key, its age and TTL. */
    record HitHead(CachePolicy policy, String keyHash, long ageSeconds, long ttlSeconds, CacheResponse response) {}

    record StatusText(CacheStatus status, String text) {}

    /** {@code status} as sent, reusing the text of the last one when it is the same. */
    String statusText(CacheStatus status) {
      StatusText last = lastStatus;
      if (last != null && last.status().equals(status)) {
        return last.text();
      }
      String text = status.toString();
      lastStatus = new StatusText(status, text);
      return text;
    }

    static final int MAX_DECODED = 64 * 1024;
  }

  /** An entry that records no soft-purge marks: any soft purge of it is then already seen. */
  StoredEntry(int status, Headers headers, Bytes body, EntityTag etag, long storedAtMillis, long ttlMillis,
      long swrMillis, long sieMillis, List<String> tags) {
    this(status, headers, body, etag, storedAtMillis, ttlMillis, swrMillis, sieMillis, tags, NO_MARKS);
  }

  /** An entry with {@code marks}, rendered afresh. */
  StoredEntry(int status, Headers headers, Bytes body, EntityTag etag, long storedAtMillis, long ttlMillis,
      long swrMillis, long sieMillis, List<String> tags, long[] marks) {
    this(status, headers, body, etag, storedAtMillis, ttlMillis, swrMillis, sieMillis, tags, marks, false,
        new Rendered());
  }

  /** This entry with {@code gzip}, the gzip encoding of its body, in place of the body. */
  StoredEntry withGzippedBody(Bytes gzip) {
    return new StoredEntry(status, headers, gzip, etag, storedAtMillis, ttlMillis, swrMillis, sieMillis, tags, marks,
        true, new Rendered());
  }

  /** The tag of the representation a client that {@code acceptsGzip} is sent. */
  EntityTag etagFor(boolean acceptsGzip) {
    return gzipped && acceptsGzip ? gzipTag(etag) : etag;
  }

  /** The tag of a gzip-encoded representation of the one tagged {@code identity}: distinct, and as weak. */
  static EntityTag gzipTag(EntityTag identity) {
    String opaque = identity.opaque() + "-gz";
    return identity.isWeak() ? EntityTag.weak(opaque) : EntityTag.strong(opaque);
  }

  /** The body as the response had it: decoded when stored gzipped; empty if that encoding is corrupt. */
  java.util.Optional<Bytes> decodedBody() {
    if (!gzipped) {
      return java.util.Optional.of(body);
    }
    Bytes known = rendered.decodedBody;
    if (known != null) {
      return java.util.Optional.of(known);
    }
    java.util.Optional<Bytes> decoded = Compression.gunzip(body);
    if (rendered.keepsDecodedBody) {
      decoded.filter(d -> d.size() <= Rendered.MAX_DECODED).ifPresent(d -> rendered.decodedBody = d);
    }
    return decoded;
  }

  /** The decoded body's length, known without decoding it. */
  int decodedSize() {
    return gzipped ? Compression.decodedLength(body) : body.size();
  }

  Freshness.State classify(long nowMillis) {
    return Freshness.classifyMillis(Math.max(0, nowMillis - storedAtMillis), ttlMillis, swrMillis, sieMillis);
  }

  long ageMillis(long nowMillis) {
    return Math.max(0, nowMillis - storedAtMillis);
  }

  /** How long a store must keep the entry: {@code ttl + max(swr, sie)}. */
  Duration retention() {
    return Duration.ofMillis(ttlMillis + Math.max(swrMillis, sieMillis));
  }

  /** This entry with {@code marks} in place of its own. */
  StoredEntry withMarks(long[] newMarks) {
    return new StoredEntry(status, headers, body, etag, storedAtMillis, ttlMillis, swrMillis, sieMillis, tags,
        newMarks.clone(), gzipped, new Rendered());
  }

  /**
   * About how much heap this decoding holds beyond its stored bytes (whose body it shares), once
   * rendered: its fields, entity tag and tags, and the heads {@link Renderer} keeps (both
   * representations' and the last hit's, which share most strings with these fields). An upper bound
   * for the common case, counted by a store that keeps the decoding beside its entry.
   */
  int heapEstimate() {
    long bytes = 640 + 2L * etag.toString().length() + 8L * marks.length;
    for (int i = 0; i < headers.size(); i++) {
      // each field: its two strings, and the references to them in three heads
      bytes += 112 + 2L * (headers.name(i).length() + headers.value(i).length());
    }
    for (String t : tags) {
      bytes += 48 + t.length();
    }
    return (int) Math.min(Integer.MAX_VALUE, bytes);
  }

  /** Whether the soft counters still have the values this entry recorded. */
  boolean marksHold(Fence current) {
    if (rendered.marksHeldFor == current) {
      return true; // a store that keeps its read hands out the same values until a bump
    }
    if (current.size() != marks.length) {
      return false;
    }
    for (int i = 0; i < marks.length; i++) {
      if (current.value(i) != marks[i]) {
        return false;
      }
    }
    rendered.marksHeldFor = current;
    return true;
  }

  /**
   * This entry with its lifetime ended at {@code nowMillis} (a soft purge): stale from then on, with
   * its stale-while-revalidate and stale-if-error windows counted from then; unchanged if it is
   * stale already.
   */
  StoredEntry expiredAt(long nowMillis) {
    long age = ageMillis(nowMillis);
    if (age >= ttlMillis) {
      return this;
    }
    return new StoredEntry(status, headers, body, etag, storedAtMillis, age, swrMillis, sieMillis, tags, marks,
        gzipped, rendered);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof StoredEntry e && status == e.status && storedAtMillis == e.storedAtMillis
        && ttlMillis == e.ttlMillis && swrMillis == e.swrMillis && sieMillis == e.sieMillis
        && headers.equals(e.headers) && body.equals(e.body) && etag.equals(e.etag) && tags.equals(e.tags)
        && Arrays.equals(marks, e.marks) && gzipped == e.gzipped;
  }

  @Override
  public int hashCode() {
    return Objects.hash(status, headers, body, etag, storedAtMillis, ttlMillis, swrMillis, sieMillis, tags)
        * 31 + Arrays.hashCode(marks);
  }

  @Override
  public String toString() {
    return "StoredEntry[" + status + ", storedAt=" + storedAtMillis + ", ttl=" + ttlMillis + ", swr=" + swrMillis
        + ", sie=" + sieMillis + ", tags=" + tags + ", marks=" + Arrays.toString(marks) + ", " + body.size()
        + (gzipped ? " gzipped" : "") + " body bytes]";
  }
}
