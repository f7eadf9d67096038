package dev.apicache.spi;

import static java.util.Objects.requireNonNull;

import org.jspecify.annotations.Nullable;

/**
 * An entry as {@link Store#getWatching} found it, with the values its watched counters had when they
 * were read: no earlier than the entry, so a bump that returned before the read began shows here.
 *
 * @param entry the stored bytes, as {@link Store#get(EntryKey)} returns them
 * @param counters the watched counters and their current values, in the order asked for
 * @param memo where the engine may keep what it derives from this entry, when the store holds it in this
 *     process (see {@link EntryMemo}); null otherwise
 *
 * @since 0.1
 */
public record Watched(byte[] entry, Fence counters, @Nullable EntryMemo memo) {
  /** Requires the entry and the counters. */
  public Watched {
    requireNonNull(entry, "entry");
    requireNonNull(counters, "counters");
  }

  /** An entry read without a memo, as a store that does not hold entries in this process reads one. */
  public Watched(byte[] entry, Fence counters) {
    this(entry, counters, null);
  }
}
