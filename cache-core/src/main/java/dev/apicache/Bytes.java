package dev.apicache;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * An immutable sequence of bytes: a response body as stored and served.
 *
 * <p>Equality is by content, unlike a {@code byte[]}. A {@code Bytes} may be a view over part of a
 * larger array that it never lets anyone modify, so decoding a stored entry does not copy its body.
 * Thread-safe.
 *
 * @since 0.1
 */
public final class Bytes {
  private static final Bytes EMPTY = new Bytes(new byte[0], 0, 0);

  private final byte[] array;
  private final int offset;
  private final int length;

  private Bytes(byte[] array, int offset, int length) {
    this.array = array;
    this.offset = offset;
    this.length = length;
  }

  /** Bytes {@code from} (inclusive) to {@code to} (exclusive) of this sequence, sharing its memory. */
  public Bytes slice(int from, int to) {
    if (from < 0 || to > length || from > to) {
      throw new IndexOutOfBoundsException("slice [" + from + ", " + to + ") of " + length + " bytes");
    }
    return new Bytes(array, offset + from, to - from);
  }

  /** The empty sequence. */
  public static Bytes empty() {
    return EMPTY;
  }

  /** A copy of {@code bytes}; later changes to the array do not show. */
  public static Bytes copyOf(byte[] bytes) {
    return bytes.length == 0 ? EMPTY : new Bytes(bytes.clone(), 0, bytes.length);
  }

  /** The UTF-8 encoding of {@code text}. */
  public static Bytes utf8(String text) {
    byte[] encoded = text.getBytes(StandardCharsets.UTF_8);
    return encoded.length == 0 ? EMPTY : new Bytes(encoded, 0, encoded.length);
  }

  /**
   * Takes ownership of {@code array[offset, offset + length)} without copying.
   *
   * <p><b>Note:</b> the caller must never modify that range afterwards; core uses this for arrays it
   * created itself (decoded entries, origin bodies it read).
   */
  static Bytes adopt(byte[] array, int offset, int length) {
    if (offset < 0 || length < 0 || offset + length > array.length) {
      throw new IndexOutOfBoundsException("range [" + offset + ", " + (offset + length) + ") of " + array.length);
    }
    return length == 0 ? EMPTY : new Bytes(array, offset, length);
  }

  /**
   * {@code array} itself, without a copy: for a body the caller has just produced and hands over,
   * such as a serialised payload an {@link Origin} returns.
   *
   * <p><b>Note:</b> the caller gives the array away and must never modify it afterwards; a cached
   * body changed in place would be served changed. Use {@link #copyOf} when the array is reused.
   */
  public static Bytes wrap(byte[] array) {
    return adopt(array, 0, array.length);
  }

  /** A stream over the bytes, without copying them. */
  java.io.InputStream inputStream() {
    return new java.io.ByteArrayInputStream(array, offset, length);
  }

  /** The number of bytes. */
  public int size() {
    return length;
  }

  /** True when there are no bytes. */
  public boolean isEmpty() {
    return length == 0;
  }

  /** A fresh copy of the bytes. */
  public byte[] toByteArray() {
    return Arrays.copyOfRange(array, offset, offset + length);
  }

  /** Writes the bytes to {@code out} without an intermediate copy. */
  public void writeTo(OutputStream out) throws IOException {
    out.write(array, offset, length);
  }

  /** Decodes the bytes as UTF-8. */
  public String utf8() {
    return new String(array, offset, length, StandardCharsets.UTF_8);
  }

  /** A read-only view of these bytes, sharing them without a copy; its position is 0 and its limit {@link #size()}. */
  public ByteBuffer asReadOnlyBuffer() {
    return ByteBuffer.wrap(array, offset, length).slice().asReadOnlyBuffer();
  }

  byte byteAt(int index) {
    return array[offset + index];
  }

  void copyTo(byte[] target, int targetOffset) {
    System.arraycopy(array, offset, target, targetOffset, length);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Bytes other
        && Arrays.equals(array, offset, offset + length, other.array, other.offset, other.offset + other.length);
  }

  @Override
  public int hashCode() {
    int h = 1;
    for (int i = offset; i < offset + length; i++) {
      h = 31 * h + array[i];
    }
    return h;
  }

  @Override
  public String toString() {
    return "Bytes[" + length + "]";
  }
}
