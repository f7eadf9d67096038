package dev.apicache;

import static java.util.Objects.requireNonNull;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.Optional;

/**
 * An immutable HTTP response: what an {@link Origin} returns and what the engine hands back to the
 * adapter, which writes the status, the headers and the {@linkplain #content() content} as they are.
 * Thread-safe, except that a {@linkplain Content.Streaming streaming} body is read once.
 *
 * @since 0.1
 */
public final class CacheResponse {
  private final int status;
  private final Headers headers;
  private final Content content;

  private CacheResponse(int status, Headers headers, Content content) {
    if (status < 100 || status > 599) {
      throw new IllegalArgumentException("status must be in [100, 599] but was " + status);
    }
    this.status = status;
    this.headers = requireNonNull(headers, "headers");
    this.content = requireNonNull(content, "content");
  }

  /**
   * What a response's body is, one of three kinds an adapter sends differently.
   *
   * @since 0.1
   */
  public sealed interface Content permits Content.Held, Content.Streaming, Content.Sent {
    /**
     * Bytes held in memory: every response the engine stores or serves from its store.
     *
     * @param bytes the body
     */
    record Held(Bytes bytes) implements Content {
      /** Requires the bytes. */
      public Held {
        requireNonNull(bytes, "bytes");
      }
    }

    /**
     * A body too large to hold, read once from {@code stream} as it arrives; whoever ends up with the
     * response sends it and closes the stream, or {@linkplain CacheResponse#discard() discards} it.
     *
     * @param stream the body, not yet read
     */
    record Streaming(InputStream stream) implements Content {
      /** Requires the stream. */
      public Streaming {
        requireNonNull(stream, "stream");
      }
    }

    /** The origin already sent the status, the headers and the body to the client itself. */
    enum Sent implements Content {
      /** The one value. */
      SENT
    }
  }

  /**
   * A response whose body is too large to hold: the adapter copies {@code body} to the client and
   * closes it. The engine never stores or shares such a response; it passes it on with its cache
   * headers, or closes the stream when it answers otherwise (a stale copy, a background refresh).
   */
  public static CacheResponse streaming(int status, Headers headers, InputStream body) {
    return new CacheResponse(status, headers, new Content.Streaming(body));
  }

  /**
   * A response whose status, headers and body the origin already sent to the client itself (a body
   * too large to hold, an asynchronous servlet): the engine never stores or shares it and passes it
   * back as it is, and the adapter writes nothing more.
   */
  public static CacheResponse sent(int status, Headers headers) {
    return new CacheResponse(status, headers, Content.Sent.SENT);
  }

  /** The body's kind, and the body itself for the two that have one. */
  public Content content() {
    return content;
  }

  /** Writes the body (held bytes, or the whole streaming body, which it then closes) to {@code out}. */
  public void writeBodyTo(OutputStream out) throws IOException {
    if (content instanceof Content.Held held) {
      held.bytes().writeTo(out);
    } else if (content instanceof Content.Streaming streaming) {
      try (InputStream in = streaming.stream()) {
        in.transferTo(out);
      }
    } else {
      throw new IllegalStateException("the origin already sent this response's body");
    }
  }

  /** Closes a streaming body without reading it, for a response nobody will send; nothing otherwise. */
  public void discard() {
    if (content instanceof Content.Streaming streaming) {
      try {
        streaming.stream().close();
      } catch (IOException ignored) {
        // the connection behind it is dropped either way
      }
    }
  }

  /** A response held in memory. */
  public static CacheResponse of(int status, Headers headers, Bytes body) {
    return new CacheResponse(status, headers, new Content.Held(body));
  }

  /** A builder for a response with {@code status}. */
  public static Builder builder(int status) {
    return new Builder(status);
  }

  /** The status code. */
  public int status() {
    return status;
  }

  /** The response headers, in order. */
  public Headers headers() {
    return headers;
  }

  /** The held body; empty for a streaming body or one already sent (see {@link #content()}). */
  public Bytes body() {
    return content instanceof Content.Held held ? held.bytes() : Bytes.empty();
  }

  /** A builder that starts from this response. */
  public Builder toBuilder() {
    Builder b = new Builder(status);
    b.headers = headers.toBuilder();
    b.content = content;
    return b;
  }

  @Override
  public String toString() {
    String body = content instanceof Content.Held held ? held.bytes().size() + " bytes"
        : content instanceof Content.Streaming ? "streaming body" : "sent";
    return "CacheResponse[" + status + ", " + body + "]";
  }

  /** Builds a {@link CacheResponse}; not thread-safe. */
  public static final class Builder {
    private int status;
    private Headers.Builder headers = Headers.builder();
    private Content content = new Content.Held(Bytes.empty());

    private Builder(int status) {
      this.status = status;
    }

    /** The status code, 100 to 999. */
    public Builder status(int code) {
      status = code;
      return this;
    }

    /** Appends a header field. */
    public Builder header(String name, String value) {
      headers.add(name, value);
      return this;
    }

    /** Replaces every field named {@code name} with one field. */
    public Builder setHeader(String name, String value) {
      headers.set(name, value);
      return this;
    }

    /** Removes every value of {@code name} (case-insensitive). */
    public Builder removeHeader(String name) {
      headers.remove(name);
      return this;
    }

    /** Sets held body bytes; a streaming body this builder carried is closed and dropped. */
    public Builder body(Bytes bytes) {
      Content held = new Content.Held(requireNonNull(bytes, "bytes"));
      if (content instanceof Content.Streaming streaming) {
        try {
          streaming.stream().close();
        } catch (IOException ignored) {
          // dropped either way
        }
      }
      content = held;
      return this;
    }

    /** The UTF-8 bytes of {@code text} as the body. */
    public Builder body(String text) {
      return body(Bytes.utf8(text));
    }

    /** The response. */
    public CacheResponse build() {
      return new CacheResponse(status, headers.build(), content);
    }
  }
}
