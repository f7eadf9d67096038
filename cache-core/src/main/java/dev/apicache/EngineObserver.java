package dev.apicache;

/**
 * Watches the engine's work that a request does not show by itself: each origin call that fills an
 * entry, each background revalidation, each store call. Every method opens a {@link Scope} that
 * the engine closes when the work ends, on the thread it ran on, so a tracer can make each a span
 * (a fill's span holds the application handler's own). Methods must be cheap and must not throw;
 * the default methods observe nothing.
 *
 * @since 0.1
 */
public interface EngineObserver {
  /** Observes nothing. */
  EngineObserver NONE = new EngineObserver() {};

  /** An origin call for {@code request} under policy {@code policyId} that will fill its entry. */
  default Scope fill(CacheRequest request, String policyId) {
    return Scope.NONE;
  }

  /** A background refresh of {@code request}'s entry under policy {@code policyId}. */
  default Scope revalidation(CacheRequest request, String policyId) {
    return Scope.NONE;
  }

  /** A call to the store, such as {@code get}, {@code put}, {@code fence} or {@code bump}. */
  default Scope storeCall(String operation) {
    return Scope.NONE;
  }

  /** One observed piece of work; closed once, after {@link #failed} when it failed. */
  interface Scope extends AutoCloseable {
    /** A scope that records nothing. */
    Scope NONE = () -> {};

    /** The work failed with {@code error}; called at most once, before {@link #close()}. */
    default void failed(Throwable error) {}

    /** The work ended. */
    @Override
    void close();
  }
}
