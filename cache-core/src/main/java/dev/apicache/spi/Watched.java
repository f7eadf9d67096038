package dev.apicache.spi;

import static java.util.Objects.requireNonNull;

/**
 * An entry as {@link Store#getWatching} found it, with the values its watched counters had when they
 * were read: no earlier than the entry, so a bump that returned before the read began shows here.
 *
 * @param entry the stored bytes, as {@link Store#get(EntryKey)} returns them
 * @param counters the watched counters and their current values, in the order asked for
 *
 * @since 0.1
 */
public record Watched(byte[] entry, Fence counters) {
  /** Requires both parts. */
  public Watched {
    requireNonNull(entry, "entry");
    requireNonNull(counters, "counters");
  }
}
