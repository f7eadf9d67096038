/**
 * apicache's API: policies ({@link dev.apicache.CachePolicy}, {@link dev.apicache.CachePolicies},
 * {@link dev.apicache.PolicyFile}), the request/response model ({@link dev.apicache.CacheRequest},
 * {@link dev.apicache.CacheResponse}, {@link dev.apicache.Origin}) and the engine that runs them
 * ({@link dev.apicache.CacheEngine}). Package-private classes beside them are the implementation and
 * may change. No public method accepts or returns null; absent values are {@link java.util.Optional}.
 */
package dev.apicache;
