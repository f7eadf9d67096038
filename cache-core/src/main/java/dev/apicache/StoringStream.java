package dev.apicache;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;

/**
 * A body streamed to its client and copied on the way: when the stream reaches its end within
 * {@code limit} bytes, the copy goes to {@code complete}, once. A body past the limit (which
 * {@code tooLarge} hears of), one that breaks off (a read that throws), or one closed before its
 * end is not handed on.
 */
final class StoringStream extends FilterInputStream {
  private final long limit;
  private final Consumer<Bytes> complete;
  private final Runnable tooLarge;
  private @Nullable Blocks copy = new Blocks();

  StoringStream(InputStream body, long limit, Consumer<Bytes> complete, Runnable tooLarge) {
    super(body);
    this.limit = limit;
    this.complete = complete;
    this.tooLarge = tooLarge;
  }

  @Override
  public int read() throws IOException {
    int b = super.read();
    if (b < 0) {
      ended();
    } else {
      Blocks c = kept(1);
      if (c != null) {
        c.write(b);
      }
    }
    return b;
  }

  @Override
  public int read(byte[] b, int off, int len) throws IOException {
    int n = super.read(b, off, len);
    if (n < 0) {
      ended();
    } else if (n > 0) {
      Blocks c = kept(n);
      if (c != null) {
        c.write(b, off, n);
      }
    }
    return n;
  }

  @Override
  public long skip(long n) throws IOException {
    copy = null; // skipped bytes are not copied, so the copy could never be whole
    return super.skip(n);
  }

  @Override
  public void close() throws IOException {
    copy = null;
    super.close();
  }

  /** The copy, if it can take {@code more} bytes; none once it could not. */
  private @Nullable Blocks kept(int more) {
    Blocks c = copy;
    if (c != null && c.size() + (long) more > limit) {
      copy = null; // past the limit: the client still gets every byte, the store none
      tooLarge.run();
      return null;
    }
    return c;
  }

  private void ended() {
    Blocks whole = copy;
    copy = null;
    if (whole != null) {
      complete.accept(Bytes.wrap(whole.toByteArray()));
    }
  }

  /**
   * The copy so far, in blocks that grow to at most {@value #MAX_BLOCK} bytes: unlike a doubling
   * buffer, it never asks the heap for one array larger than the body, nor, for bodies of a few
   * hundred kilobytes, for one so large that the collector must find it whole regions (a humongous
   * allocation, which fills a heap that holds a full cache with collections).
   */
  private static final class Blocks {
    static final int MAX_BLOCK = 64 * 1024;
    private final java.util.ArrayList<byte[]> full = new java.util.ArrayList<>();
    private byte[] block = new byte[1024];
    private int used;
    private long size;

    long size() {
      return size;
    }

    void write(int b) {
      room();
      block[used++] = (byte) b;
      size++;
    }

    void write(byte[] b, int off, int len) {
      while (len > 0) {
        room();
        int n = Math.min(len, block.length - used);
        System.arraycopy(b, off, block, used, n);
        used += n;
        off += n;
        len -= n;
        size += n;
      }
    }

    private void room() {
      if (used == block.length) {
        full.add(block);
        block = new byte[Math.min(MAX_BLOCK, block.length * 2)];
        used = 0;
      }
    }

    byte[] toByteArray() {
      byte[] all = new byte[Math.toIntExact(size)];
      int at = 0;
      for (byte[] b : full) {
        System.arraycopy(b, 0, all, at, b.length);
        at += b.length;
      }
      System.arraycopy(block, 0, all, at, used);
      return all;
    }
  }
}
