package dev.apicache;

/** The result of one origin call, shared with the requests that waited for it. */
final class Outcome {
  final CacheResponse response;
  final StoredEntry entry;
  final String uncacheableReason;
  final Exception error;
  final boolean stored;
  /** The entry was filled by another node while this one waited for its lease. */
  final boolean fromPeer;
  /** The headers of the request the origin answered; null when it is this request's own (a peer's fill). */
  final Headers askedWith;

  private Outcome(CacheResponse response, StoredEntry entry, String uncacheableReason, Exception error, boolean stored,
      boolean fromPeer, Headers askedWith) {
    this.response = response;
    this.entry = entry;
    this.uncacheableReason = uncacheableReason;
    this.error = error;
    this.stored = stored;
    this.fromPeer = fromPeer;
    this.askedWith = askedWith;
  }

  static Outcome failed(Exception e) {
    return new Outcome(null, null, null, e, false, false, null);
  }

  static Outcome uncacheable(CacheResponse response, String reason) {
    return new Outcome(response, null, reason, null, false, false, null);
  }

  static Outcome filled(CacheResponse response, StoredEntry entry, boolean stored, Headers askedWith) {
    return new Outcome(response, entry, null, null, stored, false, askedWith);
  }

  static Outcome fromPeer(StoredEntry entry) {
    return new Outcome(CacheResponse.of(entry.status(), entry.headers(), entry.body()), entry, null, null, false, true, null);
  }

  /**
   * Whether a request with {@code headers} may be given this outcome's response: it may unless the
   * response varies (RFC 9111 §4.1) on a field whose value differs from the request that asked.
   */
  boolean suits(CachePolicy policy, Headers headers) {
    return entry == null || askedWith == null || Variants.sameVariant(policy, entry.headers(), askedWith, headers);
  }

  /** The origin threw, or answered with an error that stale-if-error may replace. */
  boolean failed() {
    return error != null || Storability.isOriginError(response.status());
  }

  /**
   * Storable responses and plain failures may be shared; a response we may not store (a cookie,
   * private data) belongs to the caller that asked for it alone.
   */
  boolean shareable() {
    if (entry != null || error != null) {
      return true;
    }
    if (response.isStreamed() || response.bodyStream().isPresent()) {
      return false;
    }
    return Storability.isOriginError(response.status())
        && !"set-cookie".equals(uncacheableReason)
        && !response.headers().contains(HeaderNames.SET_COOKIE)
        && !CacheControl.parse(response.headers()).isPrivate();
  }
}
