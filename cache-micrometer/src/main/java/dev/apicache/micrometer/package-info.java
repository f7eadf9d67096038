/** Micrometer metrics for the engine, {@link dev.apicache.micrometer.ApiCacheMetrics}. */
@NullMarked
package dev.apicache.micrometer;

import org.jspecify.annotations.NullMarked;
