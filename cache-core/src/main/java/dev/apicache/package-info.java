/**
 * apicache's API for applications: policies ({@link dev.apicache.CachePolicy},
 * {@link dev.apicache.CachePolicies}, {@link dev.apicache.PolicyFile}), the request/response model
 * ({@link dev.apicache.CacheRequest}, {@link dev.apicache.CacheResponse}, {@link dev.apicache.Headers},
 * {@link dev.apicache.Bytes}, {@link dev.apicache.Origin}) and the engine that runs them
 * ({@link dev.apicache.CacheEngine}, with {@link dev.apicache.Admission} and
 * {@link dev.apicache.Serving}, what its two-step entry for servers returns). Package-private
 * classes beside them are the implementation and may change. Nothing here accepts or returns null;
 * absent values are {@link java.util.Optional}.
 *
 * @since 0.1
 */
@NullMarked
package dev.apicache;

import org.jspecify.annotations.NullMarked;
