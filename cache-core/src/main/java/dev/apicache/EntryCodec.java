package dev.apicache;

import dev.apicache.http.EntityTag;
import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * The one binary form of a stored entry, shared by every store.
 *
 * <p>Layout, big-endian: magic {@code 0xAC 0x01}, version byte, status (u16), stored time, ttl, swr,
 * sie (i64 millis each), soft-purge mark count (u8) and marks (i64 each), flags (u8: bit 0, the body
 * is gzip-encoded; version 3 on), ETag (string), header
 * count (i32) and name/value strings, tag count (i32) and tag strings, body length (i32) and bytes.
 * Strings are an i32 byte length and UTF-8. Version 2 had no flags: its bodies are as they came.
 * Version 1 had no marks either; it decodes with two zero marks,
 * which is what it would have recorded before any soft purge, so entries written before an upgrade
 * stay readable and still see a later soft purge. Decoding never throws: an unknown version or a
 * malformed blob is reported as empty, and the caller treats it as a miss. Decoding does not copy
 * the body.
 *
 * <p>A variant list (the {@code Vary} names a route's key defers to, see {@link Variants}) has magic
 * {@code 0xAC 0x02}, the version byte, a name count (i32) and the names.
 */
final class EntryCodec {
  static final int VERSION = 3;
  private static final int VERSION_WITHOUT_FLAGS = 2;
  private static final int VERSION_WITHOUT_MARKS = 1;
  private static final int FLAG_GZIP = 1;
  private static final int VARIANTS_VERSION = 1;
  private static final long[] MARKS_BEFORE_SOFT_PURGES = {0, 0};
  private static final byte MAGIC_0 = (byte) 0xAC;
  private static final byte MAGIC_1 = (byte) 0x01;
  private static final byte MAGIC_VARIANTS = (byte) 0x02;

  private EntryCodec() {}

  /**
   * The entry's bytes, in one array of exactly their length: the head is written apart and the
   * body copied once after it, so a large body costs no growing buffer and no second copy.
   */
  static byte[] encode(StoredEntry e) {
    ByteArrayOutputStream buffer = new ByteArrayOutputStream(256);
    try (DataOutputStream out = new DataOutputStream(buffer)) {
      out.writeByte(MAGIC_0);
      out.writeByte(MAGIC_1);
      out.writeByte(VERSION);
      out.writeShort(e.status());
      out.writeLong(e.storedAtMillis());
      out.writeLong(e.ttlMillis());
      out.writeLong(e.swrMillis());
      out.writeLong(e.sieMillis());
      out.writeByte(e.marks().length);
      for (long mark : e.marks()) {
        out.writeLong(mark);
      }
      out.writeByte(e.gzipped() ? FLAG_GZIP : 0);
      writeString(out, e.etag().toString());
      out.writeInt(e.headers().size());
      for (int i = 0; i < e.headers().size(); i++) {
        writeString(out, e.headers().name(i));
        writeString(out, e.headers().value(i));
      }
      out.writeInt(e.tags().size());
      for (String tag : e.tags()) {
        writeString(out, tag);
      }
      out.writeInt(e.body().size());
    } catch (IOException ex) {
      throw new UncheckedIOException(ex); // a ByteArrayOutputStream does not fail
    }
    int head = buffer.size();
    byte[] blob = Arrays.copyOf(buffer.toByteArray(), head + e.body().size());
    try {
      e.body().writeTo(new OutputStream() {
        private int at = head;

        @Override
        public void write(int b) {
          blob[at++] = (byte) b;
        }

        @Override
        public void write(byte[] b, int off, int len) {
          System.arraycopy(b, off, blob, at, len);
          at += len;
        }
      });
    } catch (IOException ex) {
      throw new UncheckedIOException(ex); // the stream above does not fail
    }
    return blob;
  }

  /** The blob that says a key's responses vary on the request fields {@code names}. */
  static byte[] encodeVariants(List<String> names) {
    ByteArrayOutputStream buffer = new ByteArrayOutputStream(64);
    try (DataOutputStream out = new DataOutputStream(buffer)) {
      out.writeByte(MAGIC_0);
      out.writeByte(MAGIC_VARIANTS);
      out.writeByte(VARIANTS_VERSION);
      out.writeInt(names.size());
      for (String name : names) {
        writeString(out, name);
      }
    } catch (IOException ex) {
      throw new UncheckedIOException(ex);
    }
    return buffer.toByteArray();
  }

  /** The names of a variant list; empty when {@code blob} is not one (an entry, or malformed). */
  static Optional<List<String>> decodeVariants(byte[] blob) {
    try {
      Reader in = new Reader(blob);
      if (in.u8() != (MAGIC_0 & 0xff) || in.u8() != (MAGIC_VARIANTS & 0xff) || in.u8() != VARIANTS_VERSION) {
        return Optional.empty();
      }
      int count = in.count();
      List<String> names = new ArrayList<>(count);
      for (int i = 0; i < count; i++) {
        names.add(in.string());
      }
      return in.atEnd() && !names.isEmpty() ? Optional.of(List.copyOf(names)) : Optional.empty();
    } catch (RuntimeException malformed) {
      return Optional.empty();
    }
  }

  private static void writeString(DataOutputStream out, String s) throws IOException {
    byte[] b = s.getBytes(StandardCharsets.UTF_8);
    out.writeInt(b.length);
    out.write(b);
  }

  /** Decodes {@code blob}, which the caller hands over and must not modify afterwards. */
  static Optional<StoredEntry> decode(byte[] blob) {
    try {
      Reader in = new Reader(blob);
      if (in.u8() != (MAGIC_0 & 0xff) || in.u8() != (MAGIC_1 & 0xff)) {
        return Optional.empty();
      }
      int version = in.u8();
      if (version != VERSION && version != VERSION_WITHOUT_FLAGS && version != VERSION_WITHOUT_MARKS) {
        return Optional.empty();
      }
      int status = in.u16();
      if (status < 100 || status > 599) {
        return Optional.empty();
      }
      long storedAt = in.i64();
      long ttl = in.i64();
      long swr = in.i64();
      long sie = in.i64();
      if (ttl < 0 || swr < 0 || sie < 0) {
        return Optional.empty();
      }
      long[] marks = MARKS_BEFORE_SOFT_PURGES;
      if (version != VERSION_WITHOUT_MARKS) {
        marks = new long[in.u8()];
        for (int i = 0; i < marks.length; i++) {
          marks[i] = in.i64();
        }
      }
      int flags = version == VERSION ? in.u8() : 0;
      if ((flags & ~FLAG_GZIP) != 0) {
        return Optional.empty();
      }
      Optional<EntityTag> etag = EntityTag.tryParse(in.string());
      if (etag.isEmpty()) {
        return Optional.empty();
      }
      int headerCount = in.count();
      Headers.Builder headers = Headers.builder();
      for (int i = 0; i < headerCount; i++) {
        headers.add(in.string(), in.string());
      }
      int tagCount = in.count();
      List<String> tags = new ArrayList<>(tagCount);
      for (int i = 0; i < tagCount; i++) {
        tags.add(in.string());
      }
      int bodyLength = in.count();
      Bytes body = in.bytes(bodyLength);
      if (!in.atEnd()) {
        return Optional.empty();
      }
      return Optional.of(new StoredEntry(status, headers.build(), body, etag.get(), storedAt, ttl, swr, sie,
          List.copyOf(tags), marks, (flags & FLAG_GZIP) != 0, new StoredEntry.Rendered()));
    } catch (RuntimeException malformed) {
      return Optional.empty();
    }
  }

  private static final class Reader {
    private final byte[] b;
    private int pos;

    Reader(byte[] b) {
      this.b = b;
    }

    private void need(int n) {
      if (n < 0 || pos + n > b.length || pos + n < 0) {
        throw new IllegalArgumentException("truncated entry");
      }
    }

    int u8() {
      need(1);
      return b[pos++] & 0xff;
    }

    int u16() {
      need(2);
      return ((b[pos++] & 0xff) << 8) | (b[pos++] & 0xff);
    }

    int i32() {
      need(4);
      return ((b[pos++] & 0xff) << 24) | ((b[pos++] & 0xff) << 16) | ((b[pos++] & 0xff) << 8) | (b[pos++] & 0xff);
    }

    long i64() {
      return ((long) i32() << 32) | (i32() & 0xffffffffL);
    }

    int count() {
      int n = i32();
      if (n < 0 || n > b.length - pos) {
        throw new IllegalArgumentException("bad count");
      }
      return n;
    }

    String string() {
      int n = count();
      String s = new String(b, pos, n, StandardCharsets.UTF_8);
      pos += n;
      return s;
    }

    Bytes bytes(int n) {
      need(n);
      Bytes out = Bytes.adopt(b, pos, n);
      pos += n;
      return out;
    }

    boolean atEnd() {
      return pos == b.length;
    }
  }
}
