package dev.apicache;

import dev.apicache.http.CacheStatus;
import dev.apicache.http.EntityTag;
import dev.apicache.http.HeaderNames;
import dev.apicache.http.Vary;
import java.net.SocketTimeoutException;
import java.net.http.HttpTimeoutException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeoutException;
import org.jspecify.annotations.Nullable;

/** Builds what the client is sent: stored entries as 200s or 304s, origin answers, bypasses, errors. */
final class Renderer {
  private static final List<String> NOT_MODIFIED_HEADERS = List.of(HeaderNames.ETAG, HeaderNames.CACHE_CONTROL,
      HeaderNames.VARY, HeaderNames.DATE, HeaderNames.EXPIRES, HeaderNames.CONTENT_LOCATION, HeaderNames.AGE,
      HeaderNames.X_CACHE, HeaderNames.CACHE_STATUS);

  private Renderer() {}

  /** The status of a response served from {@code e} at {@code now}. */
  static CacheStatus served(Admission.Cacheable c, StoredEntry e, long now) {
    return CacheStatus.hit(Math.floorDiv(e.ttlMillis() - e.ageMillis(now), 1000)).withKey(c.key.shortHash());
  }

  /** The status of a response the origin was asked for. */
  static CacheStatus forwarded(Admission.Cacheable c, CacheDecision.Forward fwd, int originStatus) {
    return CacheStatus.forwarded(fwd.token()).withForwardStatus(originStatus).withKey(c.key.shortHash());
  }

  /**
   * A hit: the 200 for fresh entry {@code e}, as {@link #fromEntry} renders it. The last 200 sent as
   * stored is kept with the entry and sent again while nothing in it changed (policy, key, and the
   * {@code Age} and TTL in whole seconds), so most hits build nothing at all.
   */
  static CacheResponse hit(Admission.Cacheable c, StoredEntry e, long now) {
    Headers request = c.request.headers();
    boolean plain = !c.head && (!e.gzipped() || Compression.accepted(request)) && !request.contains(HeaderNames.RANGE);
    long ageMillis = e.ageMillis(now);
    long ageSeconds = ageMillis / 1000;
    long ttlSeconds = Math.floorDiv(e.ttlMillis() - ageMillis, 1000);
    String keyHash = c.key.shortHash();
    StoredEntry.Rendered.HitHead last = e.rendered().lastHit;
    if (plain && last != null && last.ageSeconds() == ageSeconds && last.ttlSeconds() == ttlSeconds
        && last.policy() == c.policy && last.keyHash().equals(keyHash)) {
      return last.response();
    }
    CacheResponse r = fromEntry(c, e, now, "HIT", CacheStatus.hit(ttlSeconds).withKey(keyHash), false);
    if (plain) {
      e.rendered().lastHit = new StoredEntry.Rendered.HitHead(c.policy, keyHash, ageSeconds, ttlSeconds, r);
    }
    return r;
  }

  /**
   * The response for {@code e}: a 304 when {@code notModified} (the decision's, or
   * {@link CacheDecision#clientIsCurrent} after an origin call), else the stored response. A
   * gzipped entry is sent as stored to a client that accepts gzip, decoded to any other.
   */
  static CacheResponse fromEntry(Admission.Cacheable c, StoredEntry e, long now, String xCache, CacheStatus status,
      boolean notModified) {
    boolean asStored = !e.gzipped() || Compression.accepted(c.request.headers());
    Headers base = rendered(c.policy, e, asStored);
    Headers full = base.plus(HeaderNames.AGE, Long.toString(e.ageMillis(now) / 1000), HeaderNames.X_CACHE, xCache,
        HeaderNames.CACHE_STATUS, e.rendered().statusText(status));
    int length = asStored ? e.body().size() : e.decodedSize();
    if (notModified) {
      Headers.Builder subset = Headers.builder();
      for (String name : NOT_MODIFIED_HEADERS) {
        for (String v : full.all(name)) {
          subset.add(name, v);
        }
      }
      // RFC 9110 §8.6: a 304 may carry only the 200's own length; servers would otherwise add a 0
      subset.set(HeaderNames.CONTENT_LENGTH, Integer.toString(length));
      return CacheResponse.of(304, subset.build(), Bytes.empty());
    }
    if (c.head) {
      return CacheResponse.of(e.status(), full.toBuilder().set(HeaderNames.CONTENT_LENGTH, Integer.toString(length))
          .build(), Bytes.empty());
    }
    if (asStored) {
      return Ranges.apply(c.request.headers(), CacheResponse.of(e.status(), full, e.body()));
    }
    // a stored gzip stream that does not decode is a corrupt entry: its headers without it would lie
    return Ranges.apply(c.request.headers(), CacheResponse.of(e.status(), full, e.decodedBody().orElseThrow(
        () -> new IllegalStateException("stored gzip body of " + c + " does not decode"))));
  }

  /**
   * {@code e}'s headers as {@code policy} always sends them (its entity tag, {@code Cache-Control}
   * and {@code Vary} under policy-directed freshness; for a gzipped entry, {@code Vary:
   * Accept-Encoding} and, sent {@code asStored}, {@code Content-Encoding: gzip} with its own tag),
   * without the per-response fields; computed once per decoded entry and representation. The
   * stored headers never hold {@code Age}, {@code X-Cache} or {@code Cache-Status}, so those are
   * appended after.
   */
  private static Headers rendered(CachePolicy policy, StoredEntry e, boolean asStored) {
    StoredEntry.Rendered cache = e.rendered();
    StoredEntry.Rendered.ForPolicy done = asStored ? cache.asStored : cache.decoded;
    if (done != null && done.policy() == policy) {
      return done.headers();
    }
    Headers.Builder b = e.headers().toBuilder();
    EntityTag tag = e.etagFor(asStored);
    if (policy.originDirected().isEmpty()) {
      b.set(HeaderNames.ETAG, tag.toString()); // else the origin's own, when it sent one
      b.set(HeaderNames.CACHE_CONTROL, policy.clientCacheControl()); // else the origin's own, as stored
    } else if (e.gzipped() && asStored && e.headers().contains(HeaderNames.ETAG)) {
      b.set(HeaderNames.ETAG, tag.toString()); // the origin's tag names its identity bytes, not these
    }
    if (e.gzipped() && asStored) {
      b.set(HeaderNames.CONTENT_ENCODING, "gzip");
    }
    String vary = varyHeader(policy, e.headers(), e.gzipped());
    if (vary != null) {
      b.set(HeaderNames.VARY, vary);
    }
    Headers h = b.build();
    StoredEntry.Rendered.ForPolicy value = new StoredEntry.Rendered.ForPolicy(policy, h);
    if (asStored) {
      cache.asStored = value;
    } else {
      cache.decoded = value;
    }
    return h;
  }

  /** An origin response that was not stored, marked as a miss. */
  static CacheResponse uncached(Admission.Cacheable c, CacheResponse response, CacheStatus status) {
    CacheResponse.Builder out = response.toBuilder()
        .setHeader(HeaderNames.X_CACHE, "MISS")
        .setHeader(HeaderNames.CACHE_STATUS, status.toString());
    if (c.head) {
      out.body(Bytes.empty());
    }
    return out.build();
  }

  /**
   * What a client is sent instead of its write's own answer when the cache could not record the
   * invalidation the write causes: 503, since the client cannot be told the write took effect for
   * every reader; the service's own status goes in {@code Cache-Status} ({@code fwd-status}) and the
   * body.
   */
  static CacheResponse invalidationPending(int originStatus, boolean head) {
    CacheStatus status = CacheStatus.bypassed(BypassReason.UNSAFE_METHOD).withForwardStatus(originStatus)
        .withDetail(BypassReason.INVALIDATION_PENDING.token());
    return CacheResponse.builder(503)
        .header(HeaderNames.CONTENT_TYPE, "text/plain; charset=utf-8")
        .header(HeaderNames.CACHE_CONTROL, "no-store")
        .header(HeaderNames.X_CACHE, "BYPASS")
        .header(HeaderNames.CACHE_STATUS, status.toString())
        .body(head ? Bytes.empty() : Bytes.utf8("The service answered this write with " + originStatus
            + ", but the cache could not record the invalidation it causes: until it does, reads may return the "
            + "data from before the write. It is being retried.\n"))
        .build();
  }

  /** The 502 for an origin that could not be reached, with nothing stale to serve instead. */
  static CacheResponse originUnreachable(int gatewayStatus, boolean head, String xCache, CacheStatus status,
      boolean noStore) {
    CacheResponse.Builder b = CacheResponse.builder(gatewayStatus)
        .header(HeaderNames.CONTENT_TYPE, "text/plain; charset=utf-8");
    if (noStore) {
      b.header(HeaderNames.CACHE_CONTROL, "no-store");
    }
    return b.header(HeaderNames.X_CACHE, xCache)
        .header(HeaderNames.CACHE_STATUS, status.toString())
        .body(head ? Bytes.empty()
            : Bytes.utf8(gatewayStatus == 504 ? "origin did not answer in time\n" : "origin unavailable\n"))
        .build();
  }

  /**
   * What a gateway answers for an origin call that threw (RFC 9110 §15.6.3, §15.6.5): 504 when the
   * origin did not answer in time, else 502.
   */
  static int gatewayStatus(Throwable error) {
    for (Throwable t = error; t != null; t = t.getCause()) {
      if (t instanceof SocketTimeoutException || t instanceof HttpTimeoutException
          || t instanceof TimeoutException) {
        return 504;
      }
    }
    return 502;
  }

  /** RFC 9111 §5.2.1.7: {@code only-if-cached} with nothing stored that fits answers 504. */
  static CacheResponse onlyIfCached(Admission.Cacheable c) {
    return CacheResponse.builder(504)
        .header(HeaderNames.CONTENT_TYPE, "text/plain; charset=utf-8")
        .header(HeaderNames.CACHE_CONTROL, "no-store")
        .header(HeaderNames.X_CACHE, "MISS")
        .header(HeaderNames.CACHE_STATUS, CacheStatus.forwarded("miss").withKey(c.key.shortHash())
            .withDetail(BypassReason.ONLY_IF_CACHED.token()).toString())
        .body(c.head ? Bytes.empty() : Bytes.utf8("not cached (only-if-cached)\n"))
        .build();
  }

  /** The application's answer to a request the cache stayed out of, marked as a bypass. */
  static CacheResponse bypassed(CacheResponse response, BypassReason reason) {
    return response.toBuilder()
        .setHeader(HeaderNames.X_CACHE, "BYPASS")
        .setHeader(HeaderNames.CACHE_STATUS, CacheStatus.bypassed(reason).withForwardStatus(response.status())
            .toString())
        .build();
  }

  /** The fields an adapter adds to a response the application serves itself (its status not known yet). */
  static Headers bypassHeaders(BypassReason reason) {
    return Headers.of(HeaderNames.X_CACHE, "BYPASS", HeaderNames.CACHE_STATUS, CacheStatus.bypassed(reason).toString());
  }

  /** The policy's keyed headers, merged with the stored {@code Vary} (which names only keyed ones). */
  private static @Nullable String varyHeader(CachePolicy policy, Headers stored, boolean gzipped) {
    List<String> keyed = new ArrayList<>();
    if (gzipped) {
      keyed.add(HeaderNames.ACCEPT_ENCODING); // the response depends on it, whatever the policy keys on
    }
    for (VaryBy v : policy.varyBy()) {
      if (v instanceof VaryBy.Header h) {
        keyed.add(h.name());
      }
    }
    Vary vary = Vary.of(stored).with(keyed);
    return vary.isEmpty() ? null : vary.toString();
  }
}
