package dev.apicache;

import static java.util.Objects.requireNonNull;

import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * What {@link CacheEngine#serve} hands an adapter for a cacheable request: a response to send, or a
 * {@link Fill}, the one origin call the request must make, which the adapter runs in place (the
 * application's handler on the request's own thread) and completes.
 *
 * @since 0.1
 */
public sealed interface Serving permits Serving.Ready, Serving.Fill {

  /** The response to send: a hit, a 304, a stale copy, or the answer another request's call got. */
  record Ready(CacheResponse response) implements Serving {
    /** Requires a response. */
    public Ready {
      requireNonNull(response, "response");
    }
  }

  /**
   * The origin call of one request. Run the application's handler for {@link #originRequest()},
   * then pass what it answered to {@link #complete} (or what it threw to {@link #fail}) and send
   * the response that returns. Requests of the same key wait for this call, so a fill that is
   * neither completed nor failed must be closed: {@code try (fill) { ... }}. Not thread-safe; one
   * thread runs a fill.
   */
  final class Fill implements Serving, AutoCloseable {
    private final Fills fills;
    private final Admission.Cacheable request;
    private final FillCoordination coordination;
    private final Optional<StoredEntry> fallback;
    private final CacheDecision.Forward forward;
    private final long startedMillis;
    private final Optional<StoredEntry> validated;
    private final AtomicBoolean done = new AtomicBoolean();
    private final long startedNanos = System.nanoTime();
    private final EngineObserver.Scope observed;

    Fill(Fills fills, Admission.Cacheable request, FillCoordination coordination, Optional<StoredEntry> fallback,
        CacheDecision.Forward forward, long startedMillis, Optional<StoredEntry> validated) {
      this.fills = fills;
      this.startedMillis = startedMillis;
      this.validated = validated;
      this.request = request;
      this.coordination = coordination;
      this.fallback = fallback;
      this.forward = forward;
      this.observed = fills.observer.fill(request.request, request.policy.id());
    }

    /**
     * The request to run the handler with: the client's, as a GET without its conditional headers and
     * asking for an identity body, so that the answer can be stored and served to anyone; on an
     * origin-directed route with a stored copy, with that copy's validators instead (a 304 then
     * freshens it).
     */
    public CacheRequest originRequest() {
      return OriginCalls.withValidators(OriginCalls.originRequest(request.request), validated);
    }

    /**
     * The fields to set on an answer too large to hold, before it streams through uncached
     * ({@link CacheEngine#streamedHeaders()}, less those the engine was told to leave out).
     */
    public Headers streamedHeaders() {
      return fills.statusFields.apply(CacheEngine.streamedHeaders());
    }

    /** The body bytes to hold before streaming the rest of a response through uncached. */
    public int holdLimit() {
      return request.holdLimit();
    }

    /**
     * Takes the handler's answer: stores it when it may be stored and no invalidation raced the
     * call, shares it with waiting requests that may see it, and returns the response to send (the
     * answer with the cache's fields, a 304 when the client already holds it, or a stale copy when
     * the answer is an error and stale-if-error allows one). A streamed answer is returned as is.
     *
     * @throws IllegalStateException when this fill was already completed, failed or closed
     */
    public CacheResponse complete(CacheResponse answer) {
      requireNonNull(answer, "answer");
      finishOnce(Optional.empty());
      request.scope.originNanos.add(System.nanoTime() - startedNanos);
      return finish(fills.calls.accept(request, answer, coordination.fence(), startedMillis, validated));
    }

    /**
     * Takes a handler that threw: waiting requests are told, and the response to send is a stale copy
     * when stale-if-error allows one, else a 502.
     *
     * @throws IllegalStateException when this fill was already completed, failed or closed
     */
    public CacheResponse fail(Exception error) {
      requireNonNull(error, "error");
      finishOnce(Optional.of(error));
      request.scope.originNanos.add(System.nanoTime() - startedNanos);
      return finish(fills.calls.failed(request, error));
    }

    /**
     * Takes an application handler that threw while it ran in place: the handler's failure is the
     * application's own answer, which the cache never rewrites. Returns the stale copy to send
     * instead when stale-if-error allows one; otherwise empty, and the adapter lets {@code error} go
     * on to its framework, which answers it exactly as it would without the cache. Requests waiting
     * for this fill run their own handlers.
     *
     * @throws IllegalStateException when this fill was already completed, failed or closed
     */
    public Optional<CacheResponse> failInPlace(Exception error) {
      requireNonNull(error, "error");
      finishOnce(Optional.of(error));
      request.scope.originNanos.add(System.nanoTime() - startedNanos);
      release(Optional.empty());
      return fallback.map(stale -> fills.statusFields.apply(
          fills.respond(request, Outcome.failed(error), fallback, Optional.empty(), forward, false)));
    }

    /**
     * Runs this fill with {@code handler} (the application's handler, in place, or an origin call,
     * returning what it answered), completes or fails it, and returns what to send; closes the fill
     * whatever happens.
     */
    public CacheResponse run(Callable<CacheResponse> handler) {
      try (this) {
        CacheResponse answer;
        try {
          answer = handler.call();
          if (answer == null) {
            throw new IllegalStateException("handler produced no response");
          }
        } catch (Exception e) {
          return fail(e);
        }
        return complete(answer);
      }
    }

    /** Abandons the fill if it was neither completed nor failed: waiting requests call the origin themselves. */
    @Override
    public void close() {
      if (done.compareAndSet(false, true)) {
        observed.close();
        release(Optional.empty()); // waiting requests then call the origin themselves
      }
    }

    /** Whether {@link #complete}, {@link #fail} or {@link #close} was called. */
    public boolean isDone() {
      return done.get();
    }

    private void finishOnce(Optional<Exception> error) {
      if (!done.compareAndSet(false, true)) {
        throw new IllegalStateException("fill of " + request + " already finished");
      }
      error.ifPresent(observed::failed);
      observed.close(); // the origin call is over: what follows is the cache's own work
    }

    private CacheResponse finish(Outcome outcome) {
      release(Optional.of(outcome));
      return fills.statusFields.apply(fills.respond(request, outcome, fallback,
          Fills.servableWhenDisconnected(request, validated), forward, false));
    }

    /** Frees the lease and ends the flight, with {@code outcome} for the waiting requests or without. */
    private void release(Optional<Outcome> outcome) {
      coordination.lease().ifPresent(lease -> fills.releaseLease(request, lease));
      coordination.flight().ifPresent(flight -> outcome.ifPresentOrElse(flight::land, flight::abandon));
    }
  }
}
