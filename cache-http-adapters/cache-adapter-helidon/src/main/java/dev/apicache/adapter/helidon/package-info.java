/** The Helidon SE 4 adapter, {@link dev.apicache.adapter.helidon.ApiCacheFeature}. */
package dev.apicache.adapter.helidon;
