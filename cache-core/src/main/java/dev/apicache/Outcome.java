package dev.apicache;

import dev.apicache.http.CacheControl;
import dev.apicache.http.HeaderNames;
import java.util.Optional;

/**
 * The result of one origin call, shared with the requests that waited for it: the origin threw, it
 * answered with something this cache keeps, or with something it does not.
 */
sealed interface Outcome permits Outcome.Failed, Outcome.Filled, Outcome.Uncacheable {

  /** The origin call threw (it could not be reached, or timed out). */
  record Failed(Exception error) implements Outcome {}

  /**
   * The origin's answer, made an entry ({@code stored} when the store kept it). {@code askedWith} is
   * the headers of the request the origin answered; empty for an entry another node filled.
   */
  record Filled(CacheResponse response, StoredEntry entry, boolean stored, Optional<Headers> askedWith)
      implements Outcome {}

  /**
   * An answer this cache may not keep, and {@code reason} (a {@code Cache-Status} detail) why; no
   * reason for one streamed on to the client while it is copied into the store.
   */
  record Uncacheable(CacheResponse response, Optional<String> reason) implements Outcome {}

  static Outcome failed(Exception e) {
    return new Failed(e);
  }

  static Outcome uncacheable(CacheResponse response, String reason) {
    return new Uncacheable(response, Optional.of(reason));
  }

  /** An answer streamed to the client as it arrives: nothing to share, nothing to replace. */
  static Outcome streamedOn(CacheResponse response) {
    return new Uncacheable(response, Optional.empty());
  }

  static Outcome filled(CacheResponse response, StoredEntry entry, boolean stored, Headers askedWith) {
    return new Filled(response, entry, stored, Optional.of(askedWith));
  }

  /** The entry another node filled while this one waited for its lease. */
  static Outcome fromPeer(StoredEntry entry) {
    return new Filled(CacheResponse.of(entry.status(), entry.headers(), entry.body()), entry, false, Optional.empty());
  }

  /** The origin's answer, when it gave one. */
  default Optional<CacheResponse> answer() {
    return this instanceof Filled f ? Optional.of(f.response())
        : this instanceof Uncacheable u ? Optional.of(u.response()) : Optional.empty();
  }

  /**
   * Whether a request with {@code headers} may be given this outcome's response: it may unless the
   * response varies (RFC 9111 §4.1) on a field whose value differs from the request that asked.
   */
  default boolean suits(CachePolicy policy, Headers headers) {
    return !(this instanceof Filled f) || f.askedWith().isEmpty()
        || Variants.sameVariant(policy, f.entry().headers(), f.askedWith().get(), headers);
  }

  /** The origin threw, or answered with an error that stale-if-error may replace. */
  default boolean failed() {
    return this instanceof Failed || Storability.isOriginError(answer().orElseThrow().status());
  }

  /**
   * Storable responses and plain failures may be shared; a response we may not store (a cookie,
   * private data) belongs to the caller that asked for it alone.
   */
  default boolean shareable() {
    if (!(this instanceof Uncacheable u)) {
      return true;
    }
    CacheResponse response = u.response();
    if (!(response.content() instanceof CacheResponse.Content.Held)) {
      return false;
    }
    return Storability.isOriginError(response.status())
        && !u.reason().equals(Optional.of("set-cookie"))
        && !response.headers().contains(HeaderNames.SET_COOKIE)
        && !response.headers().cacheControl().isPrivate();
  }
}
