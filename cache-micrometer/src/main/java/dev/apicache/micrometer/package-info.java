/** Micrometer metrics for the engine, {@link dev.apicache.micrometer.ApiCacheMetrics}. */
package dev.apicache.micrometer;
