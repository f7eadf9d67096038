package dev.apicache.proxy;

import static java.util.Objects.requireNonNull;

import java.time.Duration;
import java.time.Instant;

/**
 * One request the proxy answered, for an access log: handed to the
 * {@linkplain ApiCacheProxy.Builder#requestListener listener} once the response is written (or
 * the connection given up).
 *
 * @param start when the request's head had arrived
 * @param client the client's address
 * @param method the request method
 * @param target the path and query, as sent
 * @param protocol {@code HTTP/1.1} or {@code HTTP/1.0}
 * @param status the status sent; 0 when the client left before any
 * @param bytesSent the body bytes sent
 * @param cache what the cache did: {@code HIT}, {@code MISS}, {@code STALE}, {@code BYPASS} (as
 *     {@code X-Cache} says), {@code TUNNEL} for a protocol switch, {@code -} for the proxy's own answers
 * @param duration from the request's arrival to its response's end
 * @param upstream the time spent waiting for the upstream's answers to this request
 *
 * @since 0.1
 */
public record RequestRecord(Instant start, String client, String method, String target, String protocol, int status,
    long bytesSent, String cache, Duration duration, Duration upstream) {
  /** Requires every field. */
  public RequestRecord {
    requireNonNull(start, "start");
    requireNonNull(client, "client");
    requireNonNull(method, "method");
    requireNonNull(target, "target");
    requireNonNull(protocol, "protocol");
    requireNonNull(cache, "cache");
    requireNonNull(duration, "duration");
    requireNonNull(upstream, "upstream");
  }
}
