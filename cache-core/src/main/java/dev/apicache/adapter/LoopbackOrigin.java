package dev.apicache.adapter;

import static java.util.Objects.requireNonNull;

import dev.apicache.Bytes;
import dev.apicache.CacheRequest;
import dev.apicache.CacheResponse;
import dev.apicache.Headers;
import dev.apicache.Origin;
import dev.apicache.http.HeaderNames;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.SequenceInputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.Base64;
import java.util.HashSet;
import java.util.Locale;
import java.util.Set;

/**
 * An {@link Origin} that asks the application's own HTTP server, over loopback, with a secret
 * header that tells the adapter to let the request through to the handler untouched.
 *
 * <p>This is how an adapter gives the engine an origin that still works after the client's request
 * completed (background revalidation), for any framework. The request goes out byte for byte as
 * the server decoded it: the method, the target, and every header with its value, {@code Host}
 * included, encoded with the inverse of the server's own {@linkplain HeaderDecoding header
 * decoding}, so the handler reads the very strings it would have read for the client's request.
 * Only hop-by-hop fields ({@code Connection} and those it names, {@code Keep-Alive},
 * {@code Transfer-Encoding}, {@code TE}, {@code Upgrade}, ...) are the connection's own, and the
 * marker and {@code Connection: close} are added.
 *
 * <p>A response body up to {@link Builder#maxHeldBytes} is held; a larger one comes back as a
 * {@linkplain CacheResponse#passThrough pass-through} stream, so the cache never adds a size limit
 * of its own. Each call has a connection of its own: servers keep per-connection state (Jetty
 * answers a header line that matches one seen earlier on the connection, ignoring case, with the
 * earlier field), so a reused connection could hand one client's spelling to another's request.
 * Plain HTTP only: a server that listens only on TLS gives its adapter an origin for a plain-HTTP
 * connector on loopback.
 *
 * <p>The secret is 256 random bits per instance, compared in constant time: a client that sends the
 * header without it is treated like any other client. Thread-safe.
 *
 * @since 0.1
 */
public final class LoopbackOrigin implements Origin {
  /** The header that marks a request as the cache's own origin call. */
  public static final String MARKER_HEADER = "X-Apicache-Origin";

  /**
   * How a server turns request header bytes into strings: the loopback sends the bytes that decode
   * back to the same strings.
   */
  public enum HeaderDecoding {
    /** Each byte is one character (ISO-8859-1): Jetty, Tomcat and servlet containers generally. */
    LATIN_1,
    /** Bytes below 0x80 are ASCII, every other byte becomes U+FFFD: Helidon SE 4. */
    ASCII_REPLACING
  }

  private static final Set<String> NOT_FORWARDED = Set.of("host", "connection", "content-length", "expect", "upgrade",
      "keep-alive", "transfer-encoding", "te", "trailer", "http2-settings", "proxy-connection",
      MARKER_HEADER.toLowerCase(Locale.ROOT));
  private static final Set<String> NOT_RETURNED = Set.of("connection", "keep-alive", "transfer-encoding", "upgrade",
      "content-length", "proxy-connection", "te", "trailer");
  private static final int MAX_HEAD_BYTES = 256 * 1024;

  private final String host;
  private final int port;
  private final String authority;
  private final byte[] secret;
  private final Duration timeout;
  private final long maxHeldBytes;
  private final HeaderDecoding decoding;

  private LoopbackOrigin(Builder b) {
    this.host = b.host;
    this.port = b.port;
    this.authority = b.authority;
    byte[] random = new byte[32];
    new SecureRandom().nextBytes(random);
    this.secret = Base64.getUrlEncoder().withoutPadding().encodeToString(random).getBytes(StandardCharsets.US_ASCII);
    this.timeout = b.timeout;
    this.maxHeldBytes = b.maxHeldBytes;
    this.decoding = b.decoding;
  }

  /**
   * A builder for the plain-HTTP server at {@code base} (scheme, host and port, such as
   * {@code http://127.0.0.1:8080}).
   */
  public static Builder builder(URI base) {
    return new Builder(requireNonNull(base, "base"));
  }

  /** An origin for the server at {@code base}, with the defaults of {@link Builder}. */
  public static LoopbackOrigin to(URI base) {
    return builder(base).build();
  }

  /**
   * A builder for the connector a request arrived on: its {@code scheme}, local {@code address} (an
   * IPv6 address is bracketed) and local {@code port}. What adapters use by default.
   */
  public static Builder toLocal(String scheme, String address, int port) {
    String host = address.indexOf(':') >= 0 && !address.startsWith("[") ? "[" + address + "]" : address;
    return builder(URI.create(scheme + "://" + host + ":" + port));
  }

  /** True when {@code markerValue} (the {@link #MARKER_HEADER} of a request) is this origin's secret. */
  public boolean isOwnCall(String markerValue) {
    return MessageDigest.isEqual(markerValue.getBytes(StandardCharsets.ISO_8859_1), secret);
  }

  @Override
  public CacheResponse fetch(CacheRequest request) throws IOException {
    byte[] head = requestHead(request);
    return exchange(connect(), request, head);
  }

  private Connection connect() throws IOException {
    Socket socket = new Socket();
    try {
      socket.setTcpNoDelay(true);
      socket.connect(new InetSocketAddress(host, port), (int) Math.min(timeout.toMillis(), 2_000));
      socket.setSoTimeout((int) Math.min(Integer.MAX_VALUE, Math.max(1, timeout.toMillis())));
      return new Connection(socket);
    } catch (IOException e) {
      socket.close();
      throw new IOException("cannot reach the application at " + authority + " over loopback: " + e.getMessage(), e);
    }
  }

  /** The request line and header section, encoded as the server will decode them. */
  private byte[] requestHead(CacheRequest request) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream(512);
    write(out, request.method());
    ascii(out, " ");
    write(out, request.target());
    ascii(out, " HTTP/1.1\r\nHost: ");
    Headers headers = request.headers();
    Set<String> named = connectionOptions(headers);
    write(out, headers.first(HeaderNames.HOST).orElse(authority));
    ascii(out, "\r\n");
    for (int i = 0; i < headers.size(); i++) {
      String lower = headers.name(i).toLowerCase(Locale.ROOT);
      if (NOT_FORWARDED.contains(lower) || named.contains(lower)) {
        continue;
      }
      write(out, headers.name(i));
      ascii(out, ": ");
      write(out, headers.value(i));
      ascii(out, "\r\n");
    }
    ascii(out, MARKER_HEADER + ": ");
    out.write(secret);
    ascii(out, "\r\nConnection: close\r\n");
    if (!request.body().isEmpty() || !(request.method().equals("GET") || request.method().equals("HEAD"))) {
      ascii(out, "Content-Length: " + request.body().size() + "\r\n");
    }
    ascii(out, "\r\n");
    return out.toByteArray();
  }

  private static Set<String> connectionOptions(Headers headers) {
    Set<String> names = new HashSet<>();
    for (String value : headers.all(HeaderNames.CONNECTION)) {
      for (String option : value.split(",")) {
        names.add(option.trim().toLowerCase(Locale.ROOT));
      }
    }
    return names;
  }

  private static void ascii(ByteArrayOutputStream out, String protocolText) {
    out.writeBytes(protocolText.getBytes(StandardCharsets.US_ASCII));
  }

  /** Writes one field's text as the bytes the server decodes back into it. */
  private void write(ByteArrayOutputStream out, String text) throws IOException {
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      if (c == '\r' || c == '\n' || c == 0) {
        throw new IOException("request field holds CR, LF or NUL, which no server decodes into a field");
      }
      if (c < 0x80) {
        out.write(c);
      } else if (decoding == HeaderDecoding.LATIN_1 && c <= 0xff) {
        out.write(c);
      } else if (decoding == HeaderDecoding.ASCII_REPLACING && c == '\ufffd') {
        out.write(0x80); // any byte above 0x7f reads back as U+FFFD
      } else {
        throw new IOException("request field holds U+" + String.format("%04X", (int) c) + ", which the server's "
            + decoding + " header decoding never produces, so no bytes would read back as it");
      }
    }
  }

  private CacheResponse exchange(Connection c, CacheRequest request, byte[] head) throws IOException {
    try {
      c.out.write(head);
      request.body().writeTo(c.out);
      c.out.flush();
      boolean headRequest = request.method().equals("HEAD");
      while (true) {
        int first = c.in.read();
        if (first < 0) {
          throw new EOFException("the application closed the connection before answering");
        }
        ResponseHead response = ResponseHead.read(c.in, first);
        if (response.status >= 100 && response.status < 200) {
          continue; // 103 Early Hints and the like: the final response follows
        }
        return body(c, response, headRequest);
      }
    } catch (IOException | RuntimeException e) {
      c.close();
      throw e;
    }
  }

  private CacheResponse body(Connection c, ResponseHead r, boolean headRequest) throws IOException {
    Headers headers = r.returnedHeaders();
    if (headRequest || r.status == 204 || r.status == 304) {
      c.close();
      return CacheResponse.of(r.status, headers, Bytes.empty());
    }
    InputStream content;
    if (r.chunked) {
      content = new ChunkedInputStream(c.in);
    } else if (r.contentLength >= 0) {
      content = new BoundedInputStream(c.in, r.contentLength);
    } else {
      content = c.in; // the body runs to the end of the connection
    }
    byte[] held = content.readNBytes((int) Math.min(maxHeldBytes + 1, Integer.MAX_VALUE - 8));
    if (held.length <= maxHeldBytes) {
      c.close();
      return CacheResponse.of(r.status, headers, Bytes.wrap(held));
    }
    // too large to hold: the rest streams to the client, and the connection closes with it
    InputStream rest = new FilterInputStream(content) {
      @Override
      public void close() {
        c.close();
      }
    };
    return CacheResponse.streaming(r.status, headers,
        new SequenceInputStream(new ByteArrayInputStream(held), rest));
  }

  @Override
  public String toString() {
    return "LoopbackOrigin[http://" + authority + ", " + decoding + "]";
  }

  /** One call's connection to the server. */
  private static final class Connection {
    final Socket socket;
    final InputStream in;
    final OutputStream out;

    Connection(Socket socket) throws IOException {
      this.socket = socket;
      this.in = new BufferedInputStream(socket.getInputStream(), 16 * 1024);
      this.out = new BufferedOutputStream(socket.getOutputStream(), 8 * 1024);
    }

    void close() {
      try {
        socket.close();
      } catch (IOException ignored) {
        // closing either way
      }
    }
  }

  /** A parsed status line and header section. */
  private static final class ResponseHead {
    int status;
    final Headers.Builder headers = Headers.builder();
    long contentLength = -1;
    boolean chunked;

    static ResponseHead read(InputStream in, int first) throws IOException {
      ResponseHead r = new ResponseHead();
      int[] budget = {MAX_HEAD_BYTES};
      String statusLine = line(in, first, budget);
      if (!statusLine.startsWith("HTTP/1.") || statusLine.length() < 12) {
        throw new IOException("not an HTTP/1.x response: " + statusLine.substring(0, Math.min(40, statusLine.length())));
      }
      try {
        r.status = Integer.parseInt(statusLine.substring(9, 12));
      } catch (NumberFormatException e) {
        throw new IOException("bad status line: " + statusLine, e);
      }
      String field;
      while (!(field = line(in, in.read(), budget)).isEmpty()) {
        int colon = field.indexOf(':');
        if (colon <= 0) {
          throw new IOException("bad header field in the response: " + field);
        }
        String name = field.substring(0, colon).trim();
        String value = field.substring(colon + 1).trim();
        String lower = name.toLowerCase(Locale.ROOT);
        if (lower.equals("content-length")) {
          long length = Long.parseLong(value);
          if (r.contentLength >= 0 && r.contentLength != length) {
            throw new IOException("conflicting Content-Length fields in the response");
          }
          r.contentLength = length;
        } else if (lower.equals("transfer-encoding")) {
          r.chunked = value.toLowerCase(Locale.ROOT).endsWith("chunked");
        }
        r.headers.add(name, value);
      }
      return r;
    }

    Headers returnedHeaders() {
      Headers all = headers.build();
      Headers.Builder out = Headers.builder();
      Set<String> named = connectionOptions(all);
      all.forEach((name, value) -> {
        String lower = name.toLowerCase(Locale.ROOT);
        if (!NOT_RETURNED.contains(lower) && !named.contains(lower)) {
          out.add(name, value);
        }
      });
      return out.build();
    }

    /** One CRLF-terminated line, each byte one character (a byte-preserving decoding). */
    private static String line(InputStream in, int first, int[] budget) throws IOException {
      StringBuilder b = new StringBuilder(64);
      int c = first;
      while (true) {
        if (c < 0) {
          throw new EOFException("the application closed the connection mid-response");
        }
        if (--budget[0] < 0) {
          throw new IOException("response header section over " + MAX_HEAD_BYTES + " bytes");
        }
        if (c == '\n') {
          int end = b.length() > 0 && b.charAt(b.length() - 1) == '\r' ? b.length() - 1 : b.length();
          return b.substring(0, end);
        }
        b.append((char) c);
        c = in.read();
      }
    }
  }

  /** Exactly {@code remaining} bytes of the underlying stream. */
  private static final class BoundedInputStream extends FilterInputStream {
    private long remaining;

    BoundedInputStream(InputStream in, long length) {
      super(in);
      this.remaining = length;
    }

    @Override
    public int read() throws IOException {
      if (remaining <= 0) {
        return -1;
      }
      int b = in.read();
      if (b < 0) {
        throw new EOFException("response body ended " + remaining + " bytes early");
      }
      remaining--;
      return b;
    }

    @Override
    public int read(byte[] buf, int off, int len) throws IOException {
      if (remaining <= 0) {
        return -1;
      }
      int n = in.read(buf, off, (int) Math.min(len, remaining));
      if (n < 0) {
        throw new EOFException("response body ended " + remaining + " bytes early");
      }
      remaining -= n;
      return n;
    }

    @Override
    public void close() {
      // the connection is released or closed by its owner
    }
  }

  /** A chunked body (RFC 9112 §7.1), trailers skipped. */
  private static final class ChunkedInputStream extends FilterInputStream {
    private long chunkLeft;
    private boolean done;

    ChunkedInputStream(InputStream in) {
      super(in);
    }

    private boolean nextChunk() throws IOException {
      if (chunkLeft == 0 && !done) {
        String size = ResponseHead.line(in, in.read(), new int[] {4096});
        int semi = size.indexOf(';');
        try {
          chunkLeft = Long.parseLong((semi < 0 ? size : size.substring(0, semi)).trim(), 16);
        } catch (NumberFormatException e) {
          throw new IOException("bad chunk size in the response: " + size, e);
        }
        if (chunkLeft == 0) {
          done = true;
          int[] budget = {MAX_HEAD_BYTES};
          while (!ResponseHead.line(in, in.read(), budget).isEmpty()) {
            // trailer fields are not forwarded
          }
        }
      }
      return !done;
    }

    @Override
    public int read() throws IOException {
      byte[] one = new byte[1];
      return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
    }

    @Override
    public int read(byte[] buf, int off, int len) throws IOException {
      if (len == 0) {
        return 0;
      }
      if (!nextChunk()) {
        return -1;
      }
      int n = in.read(buf, off, (int) Math.min(len, chunkLeft));
      if (n < 0) {
        throw new EOFException("chunked response body ended early");
      }
      chunkLeft -= n;
      if (chunkLeft == 0 && ResponseHead.line(in, in.read(), new int[] {2}).length() != 0) {
        throw new IOException("chunk not followed by CRLF");
      }
      return n;
    }

    @Override
    public void close() {
      // the connection is released or closed by its owner
    }
  }

  /** Builds a {@link LoopbackOrigin}; not thread-safe. */
  public static final class Builder {
    private final String host;
    private final int port;
    private final String authority;
    private Duration timeout = Duration.ofSeconds(30);
    private long maxHeldBytes = 64L << 20;
    private HeaderDecoding decoding = HeaderDecoding.LATIN_1;

    private Builder(URI base) {
      if (base.getScheme() == null || base.getHost() == null) {
        throw new IllegalArgumentException("base must be absolute, like http://127.0.0.1:8080, but was " + base);
      }
      if (!base.getScheme().equalsIgnoreCase("http")) {
        throw new IllegalArgumentException("the loopback origin speaks plain HTTP; give it a plain-HTTP connector on"
            + " loopback (http://127.0.0.1:<port>) rather than " + base);
      }
      String h = base.getHost();
      this.host = h.startsWith("[") ? h.substring(1, h.length() - 1) : h;
      this.port = base.getPort() < 0 ? 80 : base.getPort();
      this.authority = (h.indexOf(':') >= 0 && !h.startsWith("[") ? "[" + h + "]" : h) + ":" + port;
    }

    /** The longest the application may stay silent during one call; default 30 s. */
    public Builder timeout(Duration value) {
      requireNonNull(value, "value");
      if (value.isNegative() || value.isZero()) {
        throw new IllegalArgumentException("timeout must be > 0 but was " + value);
      }
      timeout = value;
      return this;
    }

    /**
     * The largest body held in memory; a larger one is passed through as a stream and never stored.
     * Default 64 MiB; adapters pass the largest {@code maxBodySize} of their policies.
     */
    public Builder maxHeldBytes(long bytes) {
      if (bytes < 0 || bytes > Integer.MAX_VALUE - 64) {
        throw new IllegalArgumentException("maxHeldBytes must be in [0, " + (Integer.MAX_VALUE - 64) + "] but was "
            + bytes);
      }
      maxHeldBytes = bytes;
      return this;
    }

    /** How the server decodes request header bytes; default {@link HeaderDecoding#LATIN_1}. */
    public Builder headerDecoding(HeaderDecoding value) {
      decoding = requireNonNull(value, "value");
      return this;
    }

    /** The origin, with a marker secret of its own (256 random bits). */
    public LoopbackOrigin build() {
      return new LoopbackOrigin(this);
    }
  }
}
