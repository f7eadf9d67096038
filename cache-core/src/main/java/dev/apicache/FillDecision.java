package dev.apicache;

import java.util.Optional;

/**
 * What a client is sent once an origin call has ended, decided from the call's {@link Outcome} and
 * the stored copies alone: a pure function, tested as a table ({@code FillDecisionTest}) like
 * {@link CacheDecision}, the half before the call. {@link Fills} renders it, counts it and discards
 * what it replaces.
 */
sealed interface FillDecision permits FillDecision.PassOn, FillDecision.ServeStale, FillDecision.Unreachable,
    FillDecision.Fresh, FillDecision.Uncached {

  /** An answer already streaming to the client: nothing to replace, nothing to add. */
  record PassOn(CacheResponse response) implements FillDecision {}

  /**
   * The stored {@code entry} instead of a failure (RFC 9111 §4.2.4, RFC 5861 stale-if-error);
   * {@code forwardStatus} is what the origin gave (or the gateway status of what it threw),
   * {@code detail} why the stale copy may be served, and {@code replaced} the origin's answer, which
   * is never sent.
   */
  record ServeStale(StoredEntry entry, int forwardStatus, String detail, Optional<CacheResponse> replaced)
      implements FillDecision {}

  /** The origin could not be reached and nothing stored may stand in: a gateway error. */
  record Unreachable(int status) implements FillDecision {}

  /** The answer as the entry made of it ({@code stored} when the store kept it). */
  record Fresh(StoredEntry entry, int originStatus, boolean stored) implements FillDecision {}

  /** The answer as it came, not kept, and why ({@code Cache-Status} detail) when there is a reason. */
  record Uncached(CacheResponse response, Optional<String> reason) implements FillDecision {}

  /** Stale-if-error's detail, for {@link ServeStale#detail()}. */
  String STALE_IF_ERROR = "stale-if-error";

  /** The detail of a stored copy served because the origin could not be reached at all. */
  String STALE_ORIGIN_UNREACHABLE = "stale-origin-unreachable";

  /**
   * The reply to {@code outcome}: {@code fallback} is the copy stale-if-error allows, and
   * {@code disconnected} the copy a route may serve when its origin cannot be reached at all.
   */
  static FillDecision decide(Outcome outcome, Optional<StoredEntry> fallback, Optional<StoredEntry> disconnected) {
    Optional<CacheResponse> answer = outcome.answer();
    if (answer.isPresent() && answer.get().content() == CacheResponse.Content.Sent.SENT) {
      return new PassOn(answer.get());
    }
    if (outcome.failed()) {
      int forwardStatus = outcome instanceof Outcome.Failed f ? Renderer.gatewayStatus(f.error())
          : answer.orElseThrow().status();
      if (fallback.isPresent()) {
        return new ServeStale(fallback.get(), forwardStatus, STALE_IF_ERROR, answer);
      }
      if (outcome instanceof Outcome.Failed) {
        return disconnected.<FillDecision>map(d -> new ServeStale(d, forwardStatus, STALE_ORIGIN_UNREACHABLE,
            Optional.empty())).orElse(new Unreachable(forwardStatus));
      }
    }
    if (outcome instanceof Outcome.Filled f) {
      return new Fresh(f.entry(), f.response().status(), f.stored());
    }
    Outcome.Uncacheable u = (Outcome.Uncacheable) outcome;
    return new Uncached(u.response(), u.reason());
  }
}
