/**
 * HTTP value types apicache reads and writes, each parsed leniently and printed canonically:
 * {@link dev.apicache.http.CacheControl} (RFC 9111), {@link dev.apicache.http.EntityTag} (RFC 9110),
 * {@link dev.apicache.http.Vary}, {@link dev.apicache.http.HttpDate},
 * {@link dev.apicache.http.CacheStatus} (RFC 9211) and the field names of
 * {@link dev.apicache.http.HeaderNames}. They depend on nothing else in apicache, so a test or a
 * framework adapter can use them alone.
 *
 * @since 0.1
 */
@NullMarked
package dev.apicache.http;

import org.jspecify.annotations.NullMarked;
