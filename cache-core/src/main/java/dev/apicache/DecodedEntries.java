package dev.apicache;

import java.util.Optional;
import java.util.concurrent.atomic.AtomicReferenceArray;

/**
 * Decoded entries, remembered by the identity of the array they were decoded from. An in-process
 * store hands back the same array on every hit of an entry, so a hot entry is decoded once instead
 * of once per hit; a remote store's fresh arrays simply never match. Safe because stores never
 * change an array they returned, and a {@link StoredEntry} is immutable.
 *
 * <p>Bounded: {@value #SLOTS} direct-mapped slots, entries up to {@value #MAX_BYTES} bytes, so at
 * most about 4 MiB is kept alive beyond what the store holds, plus, for compressed entries that
 * clients without gzip asked for, their decoded bodies (up to 64 KiB each, so at most 16 MiB).
 * Thread-safe, lock-free.
 */
final class DecodedEntries {
  static final int SLOTS = 256;
  static final int MAX_BYTES = 16 * 1024;

  private record Slot(byte[] blob, StoredEntry entry) {}

  private final AtomicReferenceArray<Slot> slots = new AtomicReferenceArray<>(SLOTS);

  /** {@link EntryCodec#decode} of {@code blob}, reusing the last decoding of this very array. */
  Optional<StoredEntry> decode(byte[] blob) {
    int i = System.identityHashCode(blob) & (SLOTS - 1);
    Slot s = slots.get(i);
    if (s != null && s.blob == blob) {
      return Optional.of(s.entry);
    }
    Optional<StoredEntry> decoded = EntryCodec.decode(blob);
    if (decoded.isPresent() && blob.length <= MAX_BYTES) {
      slots.set(i, new Slot(blob, decoded.get()));
    }
    return decoded;
  }
}
