/** The caching reverse proxy, {@link dev.apicache.proxy.ApiCacheProxy}. */
package dev.apicache.proxy;
