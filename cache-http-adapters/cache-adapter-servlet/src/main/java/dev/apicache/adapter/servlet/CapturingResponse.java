package dev.apicache.adapter.servlet;

import dev.apicache.Bytes;
import dev.apicache.CacheEngine;
import dev.apicache.CacheResponse;
import dev.apicache.Headers;
import dev.apicache.http.HttpDate;
import jakarta.servlet.ServletOutputStream;
import jakarta.servlet.WriteListener;
import jakarta.servlet.http.Cookie;
import jakarta.servlet.http.HttpServletResponse;
import jakarta.servlet.http.HttpServletResponseWrapper;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStreamWriter;
import java.io.PrintWriter;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import org.jspecify.annotations.Nullable;

/**
 * Holds what a servlet writes, up to a limit, so the engine can store it. Past the limit, or when
 * the servlet goes asynchronous, it turns into a pass-through: what was held is sent, and the rest
 * goes straight to the client, so memory stays bounded and nothing is lost.
 */
final class CapturingResponse extends HttpServletResponseWrapper {
  private final HttpServletResponse real;
  private final int limit;
  private final Headers.Builder headers = Headers.builder();
  private final ByteArrayOutputStream held = new ByteArrayOutputStream();
  private int status = 200;
  private @Nullable String charset;
  private boolean committed;
  private boolean passingThrough;
  private final dev.apicache.Headers streamedHeaders;
  private @Nullable PrintWriter writer;
  private @Nullable Sink stream;

  /** {@code streamedHeaders}: the cache's fields for an answer that grows too large to hold. */
  CapturingResponse(HttpServletResponse real, int limit, dev.apicache.Headers streamedHeaders) {
    super(real);
    this.real = real;
    this.limit = limit;
    this.streamedHeaders = streamedHeaders;
  }

  /** What the servlet produced, or a streamed response when it went straight to the client. */
  CacheResponse toResponse() {
    if (writer != null) {
      writer.flush();
    }
    if (passingThrough) {
      return CacheResponse.sent(status, headers.build());
    }
    return CacheResponse.of(status, headers.build(), Bytes.copyOf(held.toByteArray()));
  }

  /** Sends what is held and lets everything after it through; idempotent. */
  synchronized void passThrough() throws IOException {
    if (passingThrough) {
      return;
    }
    passingThrough = true;
    real.setStatus(status);
    headers.build().forEach(real::addHeader);
    streamedHeaders.forEach(real::setHeader);
    if (held.size() > 0) {
      real.getOutputStream().write(held.toByteArray());
    }
    held.reset();
  }

  private synchronized void write(byte[] b, int off, int len) throws IOException {
    committed = true;
    if (!passingThrough && held.size() + len > limit) {
      passThrough();
    }
    if (passingThrough) {
      real.getOutputStream().write(b, off, len);
    } else {
      held.write(b, off, len);
    }
  }

  // --- status and headers -------------------------------------------------------------------

  @Override
  public void setStatus(int sc) {
    if (passingThrough) {
      real.setStatus(sc);
    }
    status = sc;
  }

  @Override
  public int getStatus() {
    return status;
  }

  @Override
  public void sendError(int sc) throws IOException {
    sendError(sc, null);
  }

  @Override
  public void sendError(int sc, @Nullable String message) throws IOException {
    if (passingThrough) {
      real.sendError(sc, message);
      return;
    }
    held.reset();
    status = sc;
    headers.set("Content-Type", "text/plain;charset=utf-8");
    if (message != null) {
      held.write(message.getBytes(StandardCharsets.UTF_8));
    }
    committed = true;
  }

  @Override
  public void sendRedirect(String location) throws IOException {
    sendRedirect(location, SC_FOUND, true);
  }

  @Override
  public void sendRedirect(String location, int sc, boolean clearBuffer) throws IOException {
    if (passingThrough) {
      real.sendRedirect(location, sc, clearBuffer);
      return;
    }
    if (clearBuffer) {
      held.reset();
    }
    status = sc;
    headers.set("Location", location);
    committed = true;
  }

  @Override
  public void setHeader(String name, String value) {
    if (name.equalsIgnoreCase("Content-Length")) {
      return; // the length of what is served is the length of what was held
    }
    if (name.equalsIgnoreCase("Content-Type")) {
      setContentType(value);
      return;
    }
    if (passingThrough) {
      real.setHeader(name, value);
    }
    if (value == null) {
      headers.remove(name);
    } else {
      headers.set(name, value);
    }
  }

  @Override
  public void addHeader(String name, String value) {
    if (name.equalsIgnoreCase("Content-Length")) {
      return;
    }
    if (passingThrough) {
      real.addHeader(name, value);
    }
    headers.add(name, value);
  }

  @Override
  public void setIntHeader(String name, int value) {
    setHeader(name, Integer.toString(value));
  }

  @Override
  public void addIntHeader(String name, int value) {
    addHeader(name, Integer.toString(value));
  }

  @Override
  public void setDateHeader(String name, long millis) {
    setHeader(name, httpDate(millis));
  }

  @Override
  public void addDateHeader(String name, long millis) {
    addHeader(name, httpDate(millis));
  }

  private static String httpDate(long millis) {
    return HttpDate.format(millis); // an IMF-fixdate, as the container would write it
  }

  @Override
  public boolean containsHeader(String name) {
    return headers.build().contains(name);
  }

  @Override
  public @Nullable String getHeader(String name) {
    return headers.build().first(name).orElse(null);
  }

  @Override
  public Collection<String> getHeaders(String name) {
    return headers.build().all(name);
  }

  @Override
  public Collection<String> getHeaderNames() {
    Headers h = headers.build();
    List<String> names = new ArrayList<>();
    for (int i = 0; i < h.size(); i++) {
      if (names.stream().noneMatch(h.name(i)::equalsIgnoreCase)) {
        names.add(h.name(i));
      }
    }
    return names;
  }

  /** Cookies become {@code Set-Cookie} fields, which the engine sees, so such a response is never stored. */
  @Override
  public void addCookie(Cookie cookie) {
    StringBuilder b = new StringBuilder(cookie.getName()).append('=').append(cookie.getValue() == null ? "" : cookie.getValue());
    if (cookie.getPath() != null) {
      b.append("; Path=").append(cookie.getPath());
    }
    if (cookie.getDomain() != null) {
      b.append("; Domain=").append(cookie.getDomain());
    }
    if (cookie.getMaxAge() >= 0) {
      b.append("; Max-Age=").append(cookie.getMaxAge());
    }
    if (cookie.getSecure()) {
      b.append("; Secure");
    }
    if (cookie.isHttpOnly()) {
      b.append("; HttpOnly");
    }
    cookie.getAttributes().forEach((k, v) -> {
      if (!List.of("path", "domain", "max-age", "secure", "httponly").contains(k.toLowerCase(Locale.ROOT))) {
        b.append("; ").append(k).append(v == null || v.isEmpty() ? "" : "=" + v);
      }
    });
    addHeader("Set-Cookie", b.toString());
  }

  // --- content type and encoding ------------------------------------------------------------

  @Override
  public void setContentType(String type) {
    if (type == null) {
      headers.remove("Content-Type");
      return;
    }
    String value = type;
    int at = type.toLowerCase(Locale.ROOT).indexOf("charset=");
    if (at >= 0) {
      charset = type.substring(at + "charset=".length()).replace("\"", "").trim();
    } else if (charset != null && writer != null) {
      value = type + ";charset=" + charset;
    }
    headers.set("Content-Type", value);
    if (passingThrough) {
      real.setContentType(value);
    }
  }

  @Override
  public @Nullable String getContentType() {
    return headers.build().first("Content-Type").orElse(null);
  }

  @Override
  public void setCharacterEncoding(String encoding) {
    if (writer != null || encoding == null) {
      return; // too late once the writer exists, as for the container's own response
    }
    charset = encoding;
    headers.build().first("Content-Type").ifPresent(t -> {
      int semi = t.indexOf(';');
      headers.set("Content-Type", (semi < 0 ? t : t.substring(0, semi)) + ";charset=" + encoding);
    });
  }

  @Override
  public String getCharacterEncoding() {
    return charset == null ? StandardCharsets.ISO_8859_1.name() : charset;
  }

  @Override
  public void setContentLength(int len) {
  }

  @Override
  public void setContentLengthLong(long len) {
  }

  // --- body -----------------------------------------------------------------------------------

  @Override
  public ServletOutputStream getOutputStream() {
    if (writer != null) {
      throw new IllegalStateException("getWriter() was already called");
    }
    if (stream == null) {
      stream = new Sink();
    }
    return stream;
  }

  @Override
  public PrintWriter getWriter() {
    if (stream != null && writer == null) {
      throw new IllegalStateException("getOutputStream() was already called");
    }
    if (writer == null) {
      if (charset == null) {
        setCharacterEncoding(StandardCharsets.ISO_8859_1.name());
      }
      stream = new Sink();
      writer = new PrintWriter(new OutputStreamWriter(stream, Charset.forName(getCharacterEncoding())), false);
    }
    return writer;
  }

  @Override
  public void flushBuffer() throws IOException {
    if (writer != null) {
      writer.flush();
    }
    committed = true;
    if (passingThrough) {
      real.flushBuffer();
    }
  }

  @Override
  public boolean isCommitted() {
    return committed;
  }

  @Override
  public void resetBuffer() {
    if (committed) {
      throw new IllegalStateException("response already committed");
    }
    held.reset();
  }

  @Override
  public void reset() {
    resetBuffer();
    headers.build().forEach((n, v) -> headers.remove(n));
    status = 200;
  }

  @Override
  public void setBufferSize(int size) {
  }

  @Override
  public int getBufferSize() {
    return limit;
  }

  private final class Sink extends ServletOutputStream {
    @Override
    public void write(int b) throws IOException {
      CapturingResponse.this.write(new byte[] {(byte) b}, 0, 1);
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
      CapturingResponse.this.write(b, off, len);
    }

    @Override
    public boolean isReady() {
      return true;
    }

    /** Only asynchronous servlets listen for writes, and those pass through to the real stream. */
    @Override
    public void setWriteListener(WriteListener listener) {
      try {
        passThrough();
        real.getOutputStream().setWriteListener(listener);
      } catch (IOException e) {
        throw new IllegalStateException(e);
      }
    }
  }
}
