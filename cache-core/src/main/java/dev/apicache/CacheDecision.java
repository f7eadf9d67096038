package dev.apicache;

import static java.util.Objects.requireNonNull;

import dev.apicache.http.EntityTag;
import dev.apicache.http.HeaderNames;
import dev.apicache.http.HttpDate;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * What the cache does with a request it may answer, as a pure function of the request's
 * validators, the entry the store holds for its key (or none) and the time: no store, no origin,
 * no clock, no counters. The engine does the I/O each variant asks for.
 *
 * <p>The table:
 * <pre>
 * entry                      | client's validators match | decision
 * ---------------------------+---------------------------+--------------------------------------
 * none                       | -                         | Fetch(no fallback, MISS)
 * FRESH                      | no                        | Hit
 * FRESH                      | yes                       | NotModified(no revalidation)
 * STALE (within swr)         | no                        | ServeStale (and revalidate)
 * STALE (within swr)         | yes                       | NotModified(revalidate)
 * STALE_IF_ERROR             | -                         | Fetch(fallback = entry, STALE)
 * EXPIRED                    | -                         | Fetch(no fallback, STALE)
 * </pre>
 */
sealed interface CacheDecision {

  /** Why an origin call is made, as RFC 9211's {@code fwd} parameter names it. */
  enum Forward {
    /** Nothing stored for the key (a key holds the vary values, so "no variant" is a miss too). */
    MISS("miss"),
    /** Something stored, but too old to serve without asking the origin. */
    STALE("stale");

    private final String token;

    Forward(String token) {
      this.token = token;
    }

    /** The {@code fwd} token. */
    String token() {
      return token;
    }
  }

  /** A fresh entry, served as stored. */
  record Hit(StoredEntry entry) implements CacheDecision {
    /** Requires an entry. */
    public Hit {
      requireNonNull(entry, "entry");
    }
  }

  /** The client already holds the entry's representation: a 304; a stale entry is also revalidated. */
  record NotModified(StoredEntry entry, boolean revalidate) implements CacheDecision {
    /** Requires an entry. */
    public NotModified {
      requireNonNull(entry, "entry");
    }
  }

  /** A stale entry within stale-while-revalidate: served at once, refreshed in the background. */
  record ServeStale(StoredEntry entry) implements CacheDecision {
    /** Requires an entry. */
    public ServeStale {
      requireNonNull(entry, "entry");
    }
  }

  /** One (coalesced) origin call; {@code fallback} is served instead if the origin fails (stale-if-error). */
  record Fetch(Optional<StoredEntry> fallback, Forward forward) implements CacheDecision {
    /** Requires both. */
    public Fetch {
      requireNonNull(fallback, "fallback");
      requireNonNull(forward, "forward");
    }
  }

  /**
   * Decides for a request with {@code requestHeaders} (only its validators are read) whose key the
   * store holds {@code entry} for, at {@code nowMillis} (wall time).
   */
  static CacheDecision decide(Headers requestHeaders, Optional<StoredEntry> entry, long nowMillis) {
    return decide(requestHeaders, entry, nowMillis, RequestDirectives.NONE);
  }

  /**
   * As {@link #decide(Headers, Optional, long)}, honouring the request's own directives (origin-directed
   * routes): {@code no-cache} always fetches; an entry older than {@code max-age} or with less than
   * {@code min-fresh} left is fetched (with stale-if-error kept for a failing origin);
   * {@code max-stale} lets an entry past its stale-while-revalidate window be served stale (and
   * revalidated). {@code only-if-cached} and {@code no-store} are the engine's to apply.
   */
  static CacheDecision decide(Headers requestHeaders, Optional<StoredEntry> entry, long nowMillis,
      RequestDirectives directives) {
    if (entry.isEmpty()) {
      return new Fetch(Optional.empty(), Forward.MISS);
    }
    StoredEntry e = entry.get();
    Freshness.State state = e.classify(nowMillis);
    if (directives.noCache()) {
      return new Fetch(Optional.empty(), Forward.STALE);
    }
    long age = e.ageMillis(nowMillis);
    switch (state) {
      case FRESH:
      case STALE:
        if (!directives.accepts(e, age)) {
          // too old for this client; still the answer if the origin fails within stale-if-error
          boolean withinStaleIfError = e.sieMillis() > 0 && age < e.ttlMillis() + e.sieMillis();
          return new Fetch(withinStaleIfError ? entry : Optional.empty(), Forward.STALE);
        }
        boolean stale = state == Freshness.State.STALE;
        return clientIsCurrent(requestHeaders, e) ? new NotModified(e, stale) : stale ? new ServeStale(e) : new Hit(e);
      case STALE_IF_ERROR:
        return directives.acceptsStale(e, age) ? serveStale(requestHeaders, e) : new Fetch(entry, Forward.STALE);
      default:
        return directives.acceptsStale(e, age) ? serveStale(requestHeaders, e)
            : new Fetch(Optional.empty(), Forward.STALE);
    }
  }

  private static CacheDecision serveStale(Headers requestHeaders, StoredEntry e) {
    return clientIsCurrent(requestHeaders, e) ? new NotModified(e, true) : new ServeStale(e);
  }

  /**
   * True when the request's validators say the client holds {@code e}'s representation (RFC 9110
   * §13.1.2, §13.1.3): {@code If-None-Match} wins, weak comparison; {@code If-Modified-Since} only
   * without it, against the stored {@code Last-Modified}. Only a stored 200 answers 304; malformed
   * validators never match.
   */
  static boolean clientIsCurrent(Headers requestHeaders, StoredEntry e) {
    if (e.status() != 200) {
      return false;
    }
    List<String> inm = requestHeaders.all(HeaderNames.IF_NONE_MATCH);
    if (!inm.isEmpty()) {
      // the tag of the representation this client would be sent: a gzipped entry has two
      EntityTag current = e.etagFor(Compression.accepted(requestHeaders));
      return EntityTag.parseIfNoneMatch(inm).map(m -> m.matches(current)).orElse(false);
    }
    Optional<String> ims = requestHeaders.first(HeaderNames.IF_MODIFIED_SINCE);
    Optional<String> lastModified = e.headers().first(HeaderNames.LAST_MODIFIED);
    if (ims.isEmpty() || lastModified.isEmpty()) {
      return false;
    }
    Optional<Instant> since = HttpDate.parse(ims.get());
    Optional<Instant> modified = HttpDate.parse(lastModified.get());
    return since.isPresent() && modified.isPresent() && !modified.get().isAfter(since.get());
  }
}
