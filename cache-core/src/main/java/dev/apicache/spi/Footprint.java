package dev.apicache.spi;

/**
 * What a store holds, as far as it knows: a snapshot for metrics, never read on a request.
 *
 * @param entries stored entries (an estimate where the store only estimates)
 * @param bytes bytes the stored entries take, as the store weighs them
 * @param evictions entries the store dropped to stay within its bounds or because they expired,
 *     since it started
 *
 * @since 0.1
 */
public record Footprint(long entries, long bytes, long evictions) {}
