package dev.apicache;

/**
 * Produces the real response for a request: the application behind the cache.
 *
 * <p>The engine calls an origin on the request's thread for a miss and on its own executor for a
 * background revalidation, after the client already has its (stale) response. An origin must
 * therefore not depend on the lifetime of the framework request it was created for; it receives
 * the {@link CacheRequest} snapshot and must answer from that alone (as
 * {@link dev.apicache.adapter.LoopbackOrigin} does).
 * It may throw: the engine treats an exception like an unreachable origin (stale-if-error applies).
 *
 * @since 0.1
 */
@FunctionalInterface
public interface Origin {
  CacheResponse fetch(CacheRequest request) throws Exception;
}
