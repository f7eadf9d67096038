package dev.apicache.micrometer;

import static java.util.Objects.requireNonNull;

import dev.apicache.CacheRequest;
import dev.apicache.EngineObserver;
import io.micrometer.observation.Observation;
import io.micrometer.observation.ObservationRegistry;

/**
 * The engine's fills, background revalidations and store calls as Micrometer Observations, so that
 * a registry with a tracing bridge makes them spans (a fill's span holds the application handler's
 * own) and one with a meter handler makes them timers:
 * <ul>
 *   <li>{@code apicache.fill}: an origin call that fills an entry, tagged {@code policy};</li>
 *   <li>{@code apicache.revalidation}: a background refresh, tagged {@code policy};</li>
 *   <li>{@code apicache.store}: a store call, tagged {@code operation}.</li>
 * </ul>
 * Tags are low-cardinality (a policy id is its route as written); the request path is a
 * high-cardinality value, on spans only. Install with {@link dev.apicache.CacheEngine.Builder#observer}.
 *
 * @since 0.1
 */
public final class ApiCacheObservations implements EngineObserver {
  private final ObservationRegistry registry;

  private ApiCacheObservations(ObservationRegistry registry) {
    this.registry = registry;
  }

  /** Observations in {@code registry}; with a no-op registry they cost next to nothing. */
  public static ApiCacheObservations of(ObservationRegistry registry) {
    return new ApiCacheObservations(requireNonNull(registry, "registry"));
  }

  @Override
  public Scope fill(CacheRequest request, String policyId) {
    return originCall("fill", request, policyId);
  }

  @Override
  public Scope revalidation(CacheRequest request, String policyId) {
    return originCall("revalidation", request, policyId);
  }

  private Scope originCall(String kind, CacheRequest request, String policyId) {
    return start(Observation.createNotStarted("apicache." + kind, registry)
        .contextualName("apicache " + kind + " " + policyId)
        .lowCardinalityKeyValue("policy", policyId)
        .highCardinalityKeyValue("path", request.path()));
  }

  @Override
  public Scope storeCall(String operation) {
    return start(Observation.createNotStarted("apicache.store", registry)
        .contextualName("apicache store " + operation)
        .lowCardinalityKeyValue("operation", operation));
  }

  private Scope start(Observation observation) {
    if (registry.isNoop()) {
      return Scope.NONE;
    }
    observation.start();
    Observation.Scope opened = observation.openScope();
    return new Scope() {
      @Override
      public void failed(Throwable error) {
        observation.error(error);
      }

      @Override
      public void close() {
        opened.close();
        observation.stop();
      }
    };
  }
}
