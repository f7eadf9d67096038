package dev.apicache;

import java.io.ByteArrayOutputStream;
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
  private @Nullable ByteArrayOutputStream copy = new ByteArrayOutputStream();

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
      ByteArrayOutputStream c = kept(1);
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
      ByteArrayOutputStream c = kept(n);
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
  private @Nullable ByteArrayOutputStream kept(int more) {
    ByteArrayOutputStream c = copy;
    if (c != null && c.size() + (long) more > limit) {
      copy = null; // past the limit: the client still gets every byte, the store none
      tooLarge.run();
      return null;
    }
    return c;
  }

  private void ended() {
    ByteArrayOutputStream whole = copy;
    copy = null;
    if (whole != null) {
      complete.accept(Bytes.wrap(whole.toByteArray()));
    }
  }
}
