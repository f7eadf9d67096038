package dev.apicache;

import java.util.Set;

/**
 * The never-store rules as one pure function of a policy and an origin response.
 */
final class Storability {
  /** Statuses stored when a policy allows: final, successful or permanent-redirect answers. */
  private static final Set<Integer> STORABLE_STATUSES = Set.of(200, 203, 204, 300, 301, 308);
  /**
   * Under origin-directed freshness, what RFC 9110 §15.1 lets a cache reuse (a 404 the origin says
   * is good for a minute is), except 206: partial content is never stored as a whole.
   */
  private static final Set<Integer> ORIGIN_DIRECTED_STATUSES = Set.of(200, 203, 204, 300, 301, 308, 404, 405, 410,
      414, 501);

  private Storability() {}

  /** Null when the response may be stored under {@code policy}; otherwise the reason it may not. */
  static String reasonNotToStore(CachePolicy policy, CacheResponse response) {
    if (response.isStreamed()) {
      return "streamed";
    }
    if (!(policy.originDirected().isPresent() ? ORIGIN_DIRECTED_STATUSES : STORABLE_STATUSES)
        .contains(response.status())) {
      return "status";
    }
    Headers h = response.headers();
    if (h.contains(HeaderNames.SET_COOKIE) || h.contains("Set-Cookie2")) {
      return "set-cookie";
    }
    CacheControl cc = CacheControl.parse(h);
    if (cc.isNoStore()) {
      return "no-store";
    }
    if (cc.isPrivate()) {
      return "private";
    }
    if (response.bodyStream().isPresent() || response.body().size() > policy.maxBodyBytes()) {
      return "too-large";
    }
    boolean encoded = h.contains("Content-Encoding");
    Vary vary = Vary.of(h);
    if (vary.isAny()) {
      return "vary";
    }
    for (String name : vary.names()) {
      // the engine asks the origin for an identity body, which suits every client
      if (name.equalsIgnoreCase("Accept-Encoding") && !encoded) {
        continue;
      }
      VaryBy.Header header;
      try {
        header = new VaryBy.Header(name);
      } catch (IllegalArgumentException notAHeaderName) {
        return "vary";
      }
      if (!policy.varies(header) && policy.originDirected().isEmpty()) {
        return "vary-unkeyed"; // origin-directed routes store a variant per value instead (Variants)
      }
    }
    return null;
  }

  /** RFC 5861: the answers that stale-if-error may replace. */
  static boolean isOriginError(int status) {
    return status == 500 || status == 502 || status == 503 || status == 504;
  }
}
