package dev.apicache;

import static java.util.Objects.requireNonNull;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.Optional;

/**
 * An immutable HTTP response: what an {@link Origin} returns and what the engine hands back to the
 * adapter, which writes the status, the headers and the body bytes as they are. Thread-safe, except
 * that the body stream of a {@linkplain #passThrough pass-through} response is read once.
 *
 * @since 0.1
 */
public final class CacheResponse {
  private final int status;
  private final Headers headers;
  private final Bytes body;
  private final boolean streamed;
  private final InputStream bodyStream;

  private CacheResponse(int status, Headers headers, Bytes body) {
    this(status, headers, body, false, null);
  }

  private CacheResponse(int status, Headers headers, Bytes body, boolean streamed, InputStream bodyStream) {
    if (status < 100 || status > 599) {
      throw new IllegalArgumentException("status must be in [100, 599] but was " + status);
    }
    this.status = status;
    this.headers = requireNonNull(headers, "headers");
    this.body = requireNonNull(body, "body");
    this.streamed = streamed;
    this.bodyStream = bodyStream;
  }

  /**
   * A response whose body is too large to hold: the adapter copies {@code body} to the client and
   * closes it. The engine never stores or shares such a response; it passes it on with its cache
   * headers, or closes the stream when it answers otherwise (a stale copy, a background refresh).
   */
  public static CacheResponse passThrough(int status, Headers headers, InputStream body) {
    return new CacheResponse(status, headers, Bytes.empty(), false, requireNonNull(body, "body"));
  }

  /** The body of a {@linkplain #passThrough pass-through} response; empty for every other response. */
  public Optional<InputStream> bodyStream() {
    return Optional.ofNullable(bodyStream);
  }

  /** Writes the body (held bytes, or the whole pass-through stream, which it then closes) to {@code out}. */
  public void writeBodyTo(OutputStream out) throws IOException {
    if (bodyStream == null) {
      body.writeTo(out);
      return;
    }
    try (InputStream in = bodyStream) {
      in.transferTo(out);
    }
  }

  /** Closes the pass-through body stream, if any, without reading it: for a response nobody will send. */
  public void discard() {
    if (bodyStream != null) {
      try {
        bodyStream.close();
      } catch (IOException ignored) {
        // the connection behind it is dropped either way
      }
    }
  }

  /**
   * A response whose status, headers and body the origin already sent to the client itself (a body
   * too large to hold, an asynchronous servlet): the engine never stores or shares it and passes it
   * back as it is, and the adapter writes nothing more.
   */
  public static CacheResponse streamed(int status, Headers headers) {
    return new CacheResponse(status, headers, Bytes.empty(), true, null);
  }

  /** True for a response the origin already sent; see {@link #streamed}. */
  public boolean isStreamed() {
    return streamed;
  }

  /** A response held in memory. */
  public static CacheResponse of(int status, Headers headers, Bytes body) {
    return new CacheResponse(status, headers, body);
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

  /** The held body; empty for a pass-through or streamed response. */
  public Bytes body() {
    return body;
  }

  /** A builder that starts from this response. */
  public Builder toBuilder() {
    Builder b = new Builder(status);
    b.headers = headers.toBuilder();
    b.body = body;
    b.streamed = streamed;
    b.bodyStream = bodyStream;
    return b;
  }

  @Override
  public String toString() {
    return "CacheResponse[" + status + ", " + (bodyStream != null ? "streamed body" : body.size() + " bytes") + "]";
  }

  /** Builds a {@link CacheResponse}; not thread-safe. */
  public static final class Builder {
    private int status;
    private Headers.Builder headers = Headers.builder();
    private Bytes body = Bytes.empty();
    private boolean streamed;
    private InputStream bodyStream;

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

    /** Sets held body bytes; a pass-through body stream this builder carried is closed and dropped. */
    public Builder body(Bytes content) {
      body = requireNonNull(content, "content");
      if (bodyStream != null) {
        try {
          bodyStream.close();
        } catch (IOException ignored) {
          // dropped either way
        }
        bodyStream = null;
      }
      return this;
    }

    /** The UTF-8 bytes of {@code text} as the body. */
    public Builder body(String text) {
      return body(Bytes.utf8(text));
    }

    /** The response. */
    public CacheResponse build() {
      return new CacheResponse(status, headers.build(), body, streamed, bodyStream);
    }
  }
}
