package dev.apicache.spi;

import org.jspecify.annotations.Nullable;

/**
 * A place beside one stored entry where the engine keeps what it derives from the entry's bytes (their
 * decoding and the response head it renders), so that a hit from this process's memory decodes
 * nothing. It lives and dies with the entry: a store that holds entries in this process hands the same
 * one out with every {@link Store#getWatching read} of an entry, and counts what is kept in it toward its
 * bound; a store that reads entries over the network hands out none.
 *
 * @since 0.1
 */
public interface EntryMemo {
  /** What the engine kept, or null when nothing was (or the store declined it). */
  @Nullable Object kept();

  /**
   * Keeps {@code value} beside the entry, replacing what was kept, and counts {@code heapBytes} (the
   * heap it holds beyond the entry's own bytes) toward the store's bound from now on. A store may
   * decline, as when the entry was replaced or removed meanwhile; {@link #kept()} then stays null.
   */
  void keep(Object value, int heapBytes);
}
