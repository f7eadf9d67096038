/** The Helidon SE 4 adapter, {@link dev.apicache.adapter.helidon.ApiCacheFeature}. */
@NullMarked
package dev.apicache.adapter.helidon;

import org.jspecify.annotations.NullMarked;
