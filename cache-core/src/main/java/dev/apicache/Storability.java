package dev.apicache;

import dev.apicache.http.CacheControl;
import dev.apicache.http.HeaderNames;
import dev.apicache.http.Vary;
import java.util.Optional;
import java.util.Set;

/**
 * The never-store rules as one pure function of a policy and an origin response.
 */
final class Storability {
  /** Statuses stored when a policy allows: final, successful or permanent-redirect answers. */
  private static final Set<Integer> STORABLE_STATUSES = Set.of(200, 203, 204, 300, 301, 308);
  /**
   * Under origin-directed freshness, what RFC 9110 §15.1 lets a cache reuse on a heuristic (a 404
   * the origin says is good for a minute is); other statuses need explicit freshness.
   */
  private static final Set<Integer> ORIGIN_DIRECTED_STATUSES = Set.of(200, 203, 204, 300, 301, 308, 404, 405, 410,
      414, 501);

  private Storability() {}

  /** Why the response may not be stored under {@code policy}; empty when it may. */
  static Optional<String> reasonNotToStore(CachePolicy policy, CacheResponse response) {
    if (response.content() == CacheResponse.Content.Sent.SENT) {
      return Optional.of("streamed");
    }
    Headers h = response.headers();
    if (policy.originDirected().isPresent() ? !originDirectedStatus(response.status(), h)
        : !STORABLE_STATUSES.contains(response.status())) {
      return Optional.of("status");
    }
    if (h.contains(HeaderNames.SET_COOKIE) || h.contains(HeaderNames.SET_COOKIE2)) {
      return Optional.of("set-cookie");
    }
    // an origin-directed route takes the field the origin targets at shared caches, if it sent one
    CacheControl cc = policy.originDirected().isPresent() ? h.sharedCacheControl() : h.cacheControl();
    if (cc.isNoStore()) {
      return Optional.of("no-store");
    }
    if (cc.isPrivate()) {
      return Optional.of("private");
    }
    if (response.content() instanceof CacheResponse.Content.Streaming
        || response.body().size() > policy.maxBodyBytes()) {
      return Optional.of("too-large");
    }
    boolean encoded = h.contains(HeaderNames.CONTENT_ENCODING);
    Vary vary = Vary.of(h);
    if (vary.isAny()) {
      return Optional.of("vary");
    }
    for (String name : vary.names()) {
      // the engine asks the origin for an identity body, which suits every client
      if (name.equalsIgnoreCase(HeaderNames.ACCEPT_ENCODING) && !encoded) {
        continue;
      }
      VaryBy.Header header;
      try {
        header = new VaryBy.Header(name);
      } catch (IllegalArgumentException notAHeaderName) {
        return Optional.of("vary");
      }
      if (!policy.varies(header) && policy.originDirected().isEmpty()) {
        return Optional.of("vary-unkeyed"); // origin-directed routes store a variant per value instead (Variants)
      }
    }
    return Optional.empty();
  }

  /**
   * Whether an origin-directed route may store {@code status} (RFC 9111 §3): a status reusable on a
   * heuristic, or any other final status the origin gave explicit freshness (a 302 with
   * {@code max-age=60}); never 206 (partial content is not the whole), 304, or a server error,
   * which stale-if-error replaces with a good copy instead.
   */
  private static boolean originDirectedStatus(int status, Headers h) {
    if (ORIGIN_DIRECTED_STATUSES.contains(status)) {
      return true;
    }
    if (status < 200 || status == 206 || status == 304 || status >= 500) {
      return false;
    }
    CacheControl cc = h.sharedCacheControl();
    return cc.maxAge().isPresent() || cc.sharedMaxAge().isPresent() || h.contains(HeaderNames.EXPIRES);
  }

  /** RFC 5861: the answers that stale-if-error may replace. */
  static boolean isOriginError(int status) {
    return status == 500 || status == 502 || status == 503 || status == 504;
  }
}
