package dev.apicache.spring;

import java.time.Duration;
import java.util.List;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * {@code apicache.*} in {@code application.yml}: policies inline or from a policy file, the
 * Caffeine store's size, and an on/off switch. Inline policies use the policy file's field names
 * (in Spring's kebab-case) and are checked by the same rules; a property apicache does not know,
 * such as a misspelt field, fails startup. Paths are relative to the servlet context path, as
 * controller mappings are.
 *
 * @param enabled whether apicache caches at all; false leaves the application as if it were not there
 * @param policyFile a policy file (YAML, or JSON when it ends in .json), as a Spring resource location
 *     such as classpath:cache-policies.yaml; excludes inline policies and writes
 * @param policies policies, as in a policy file's policies list
 * @param writes write rules, as in a policy file's writes list
 * @param caffeineMaximumBytes the in-process store's budget, in bytes of stored entries
 * @param store caffeine (the default, in-process), redis (the server Spring Boot's Redis connection
 *     names: spring.data.redis.*, Sentinel, Cluster, SSL bundle or a service connection) or hazelcast
 *     (the application's HazelcastInstance bean)
 * @param storeTimeout how long a store call may take before the request goes on without the cache
 * @param invalidationPatience how long a failed invalidation is retried while the write that caused
 *     it waits, so that no later request gets the old data; past it the write is answered 503 and
 *     the invalidation is retried in the background until the store records it
 * @param keyPrefix the prefix of every Redis key, so that several applications share one server
 * @param xCacheHeader whether responses carry {@code X-Cache} (HIT, MISS, STALE, BYPASS)
 * @param cacheStatusHeader whether responses carry {@code Cache-Status} (RFC 9211)
 *
 * @since 0.1
 */
@ConfigurationProperties(prefix = "apicache", ignoreUnknownFields = false)
public record ApiCacheProperties(
    @DefaultValue("true") boolean enabled,
    String policyFile,
    @DefaultValue List<Policy> policies,
    @DefaultValue List<Write> writes,
    @DefaultValue("268435456") long caffeineMaximumBytes,
    @DefaultValue("caffeine") StoreKind store,
    @DefaultValue("200ms") Duration storeTimeout,
    @DefaultValue("10s") Duration invalidationPatience,
    @DefaultValue("apicache:") String keyPrefix,
    @DefaultValue("true") boolean xCacheHeader,
    @DefaultValue("true") boolean cacheStatusHeader) {

  /** The stores the starter can make. */
  public enum StoreKind {
    /** In-process Caffeine: one node's own cache. */
    CAFFEINE,
    /** Redis through Lettuce, at the server Spring Boot's Redis connection names. */
    REDIS,
    /** Hazelcast, through the application's HazelcastInstance bean. */
    HAZELCAST
  }

  /**
   * One policy; the fields and their meaning are the policy file's. Absent fields take the policy
   * file's defaults.
   *
   * @param path the route: exact, a template such as /api/products/{id:int}, or a prefix ending in /**
   * @param methods GET (the default) and, explicitly, HEAD
   * @param ttl how long a response is fresh (policy-directed freshness)
   * @param staleWhileRevalidate how long past its ttl a response is served while one refresh runs
   * @param staleIfError how long past its ttl a response may replace an origin error
   * @param varyBy key parts beyond the path: name or query:name, query:*, header:Name, key:name
   * @param invalidateOn events that invalidate every entry of the policy
   * @param tags tag templates such as product:{id}
   * @param cacheControl the Cache-Control sent to clients; default no-cache
   * @param maxBodySize the largest body stored, such as 1MB
   * @param shared whether requests that carry Authorization may share entries
   * @param shareAcrossHosts whether one entry serves every host name
   * @param freshness policy (the default) or origin: the response's own Cache-Control decides (RFC 9111)
   * @param minTtl the floor on what the origin says (origin freshness)
   * @param maxTtl the ceiling on what the origin says (origin freshness)
   * @param compress whether text-like bodies from 1 KiB are stored gzip-encoded (sent as stored to
   *     clients that accept gzip, decoded for the others); default false
   */
  public record Policy(
      String path,
      @DefaultValue List<String> methods,
      Duration ttl,
      Duration staleWhileRevalidate,
      Duration staleIfError,
      @DefaultValue List<String> varyBy,
      @DefaultValue List<String> invalidateOn,
      @DefaultValue List<String> tags,
      String cacheControl,
      String maxBodySize,
      Boolean shared,
      Boolean shareAcrossHosts,
      String freshness,
      Duration minTtl,
      Duration maxTtl,
      Boolean compress) {}

  /**
   * One write rule: the unsafe requests under a path that fire events.
   *
   * @param path the route the rule covers
   * @param methods POST, PUT, PATCH, DELETE; all four by default
   * @param events the events a successful write fires
   */
  public record Write(String path, @DefaultValue List<String> methods, @DefaultValue List<String> events) {}
}
