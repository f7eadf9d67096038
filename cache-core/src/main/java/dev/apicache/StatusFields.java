package dev.apicache;

import dev.apicache.http.HeaderNames;

/**
 * Which of the cache's own response fields, {@code X-Cache} and {@code Cache-Status}, an engine's
 * responses carry. With both on (the default) responses pass through untouched, at no cost.
 */
final class StatusFields {
  static final StatusFields BOTH = new StatusFields(true, true);

  private final boolean xCache;
  private final boolean cacheStatus;

  private StatusFields(boolean xCache, boolean cacheStatus) {
    this.xCache = xCache;
    this.cacheStatus = cacheStatus;
  }

  static StatusFields of(boolean xCache, boolean cacheStatus) {
    return xCache && cacheStatus ? BOTH : new StatusFields(xCache, cacheStatus);
  }

  private boolean all() {
    return xCache && cacheStatus;
  }

  /** {@code r} without the fields turned off. A streamed response is on its way already: as is. */
  CacheResponse apply(CacheResponse r) {
    if (all() || r.content() == CacheResponse.Content.Sent.SENT || !holdsHidden(r.headers())) {
      return r;
    }
    CacheResponse.Builder b = r.toBuilder();
    if (!xCache) {
      b.removeHeader(HeaderNames.X_CACHE);
    }
    if (!cacheStatus) {
      b.removeHeader(HeaderNames.CACHE_STATUS);
    }
    return b.build();
  }

  Serving apply(Serving s) {
    return all() || !(s instanceof Serving.Ready ready) ? s : new Serving.Ready(apply(ready.response()));
  }

  /** {@code h} without the fields turned off. */
  Headers apply(Headers h) {
    if (all() || !holdsHidden(h)) {
      return h;
    }
    Headers.Builder b = Headers.builder();
    h.forEach((name, value) -> {
      if (!hidden(name)) {
        b.add(name, value);
      }
    });
    return b.build();
  }

  private boolean holdsHidden(Headers h) {
    for (int i = 0; i < h.size(); i++) {
      if (hidden(h.name(i))) {
        return true;
      }
    }
    return false;
  }

  private boolean hidden(String name) {
    return !xCache && name.equalsIgnoreCase(HeaderNames.X_CACHE)
        || !cacheStatus && name.equalsIgnoreCase(HeaderNames.CACHE_STATUS);
  }
}
