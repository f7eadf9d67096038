package dev.apicache.proxy;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.lang.ref.WeakReference;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Direct-memory copies of the large stored bodies that hits send, so that the socket writes them
 * from where they lie. A body on the heap is copied by the transport into fresh direct memory on
 * every write; for a body of hundreds of kilobytes that copy, and the zeroing of the memory it goes
 * to, cost more than the rest of the hit.
 *
 * <p>Copies are keyed by the identity of the stored bytes, held weakly (a body the store dropped is
 * never matched again and ages out here), and evicted least recently used first once they hold more
 * than the capacity. A copy evicted while a write still sends it lives until that write ends.
 * Thread-safe; the copy is made outside the lock.
 */
final class DirectBodies {
  /** Bodies smaller than this are copied by the transport cheaply enough. */
  static final int MIN_BYTES = 16 * 1024;

  private final long capacity;
  private final LinkedHashMap<Key, ByteBuf> copies = new LinkedHashMap<>(64, 0.75f, true);
  private long held;

  /** Holds at most {@code capacity} bytes of copies. */
  DirectBodies(long capacity) {
    this.capacity = capacity;
  }

  /** The stored bytes {@code array[offset, offset + length)} whose identity (not content) keys a copy. */
  private static final class Key {
    final WeakReference<byte[]> array;
    final int offset;
    final int length;
    final int hash;

    Key(byte[] array, int offset, int length) {
      this.array = new WeakReference<>(array);
      this.offset = offset;
      this.length = length;
      this.hash = (System.identityHashCode(array) * 31 + offset) * 31 + length;
    }

    @Override
    public boolean equals(Object o) {
      if (!(o instanceof Key k) || k.hash != hash || k.offset != offset || k.length != length) {
        return false;
      }
      byte[] mine = array.get();
      return mine != null && mine == k.array.get();
    }

    @Override
    public int hashCode() {
      return hash;
    }
  }

  /**
   * A buffer of {@code array[offset, offset + length)} to write once and let go: a retained view of
   * its direct copy when the body is large enough to be worth one and fits, else a wrapper of the
   * stored bytes themselves. Neither copies per request.
   */
  ByteBuf body(byte[] array, int offset, int length) {
    if (length < MIN_BYTES || length > capacity) {
      return Unpooled.wrappedBuffer(array, offset, length);
    }
    Key key = new Key(array, offset, length);
    synchronized (this) {
      ByteBuf known = copies.get(key);
      if (known != null) {
        return known.retainedDuplicate();
      }
    }
    ByteBuf copy = Unpooled.directBuffer(length, length).writeBytes(array, offset, length);
    synchronized (this) {
      ByteBuf raced = copies.putIfAbsent(key, copy);
      if (raced != null) {
        copy.release();
        return raced.retainedDuplicate();
      }
      held += length;
      ByteBuf view = copy.retainedDuplicate();
      evictBeyondCapacity();
      return view;
    }
  }

  private void evictBeyondCapacity() {
    Iterator<Map.Entry<Key, ByteBuf>> eldest = copies.entrySet().iterator();
    while (held > capacity && eldest.hasNext()) {
      Map.Entry<Key, ByteBuf> e = eldest.next();
      held -= e.getKey().length;
      e.getValue().release();
      eldest.remove();
    }
  }

  /** Bytes held in copies now. */
  synchronized long heldBytes() {
    return held;
  }

  /** Lets every copy go (writes in progress keep theirs until they end). */
  synchronized void clear() {
    copies.values().forEach(ByteBuf::release);
    copies.clear();
    held = 0;
  }
}
