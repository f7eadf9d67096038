/** The caching reverse proxy, {@link dev.apicache.proxy.ApiCacheProxy}. */
@NullMarked
package dev.apicache.proxy;

import org.jspecify.annotations.NullMarked;
