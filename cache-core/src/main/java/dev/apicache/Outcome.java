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

  private Outcome(CacheResponse response, StoredEntry entry, String uncacheableReason, Exception error, boolean stored,
      boolean fromPeer) {
    this.response = response;
    this.entry = entry;
    this.uncacheableReason = uncacheableReason;
    this.error = error;
    this.stored = stored;
    this.fromPeer = fromPeer;
  }

  static Outcome failed(Exception e) {
    return new Outcome(null, null, null, e, false, false);
  }

  static Outcome uncacheable(CacheResponse response, String reason) {
    return new Outcome(response, null, reason, null, false, false);
  }

  static Outcome filled(CacheResponse response, StoredEntry entry, boolean stored) {
    return new Outcome(response, entry, null, null, stored, false);
  }

  static Outcome fromPeer(StoredEntry entry) {
    return new Outcome(CacheResponse.of(entry.status(), entry.headers(), entry.body()), entry, null, null, false, true);
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
