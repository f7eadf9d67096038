package dev.apicache.adapter.testkit;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * HTTP/1.1 over a plain socket, for requests the JDK client refuses to send (raw header bytes,
 * malformed targets, conflicting framing) and for responses whose exact header fields matter.
 *
 * @since 0.1
 */
public final class RawHttp {
  private RawHttp() {}

  /** A response as received: status, fields in order (each byte one character), body bytes. */
  public record Response(int status, List<String[]> fields, byte[] body) {
    /** The first value of {@code name}, if any. */
    public Optional<String> header(String name) {
      return fields.stream().filter(f -> f[0].equalsIgnoreCase(name)).map(f -> f[1]).findFirst();
    }

    /** Every value of {@code name}. */
    public List<String> headers(String name) {
      return fields.stream().filter(f -> f[0].equalsIgnoreCase(name)).map(f -> f[1]).toList();
    }

    /** The body as UTF-8 text. */
    public String text() {
      return new String(body, StandardCharsets.UTF_8);
    }
  }

  /** {@code request} as ISO-8859-1 bytes (one byte per character). */
  public static byte[] latin1(String request) {
    return request.getBytes(StandardCharsets.ISO_8859_1);
  }

  /** Sends {@code request} (a whole request, head and body) on a new connection and reads one response. */
  public static Response exchange(URI server, byte[] request) throws IOException {
    return exchange(server, request, false);
  }

  /**
   * Sends {@code request} and reads one response; {@code head} when it answers a HEAD, whose body
   * is empty whatever its Content-Length says.
   */
  public static Response exchange(URI server, byte[] request, boolean head) throws IOException {
    try (Socket socket = new Socket(server.getHost(), server.getPort())) {
      socket.setSoTimeout(30_000);
      socket.getOutputStream().write(request);
      socket.getOutputStream().flush();
      return read(new BufferedInputStream(socket.getInputStream()), head);
    }
  }

  /** Reads one response from {@code in}. */
  public static Response read(InputStream in, boolean head) throws IOException {
    String status = requiredLine(in);
    if (status == null || !status.startsWith("HTTP/1.")) {
      throw new IOException("no HTTP response, got: " + status);
    }
    List<String[]> fields = new ArrayList<>();
    long length = -1;
    boolean chunked = false;
    String field;
    while ((field = line(in)) != null && !field.isEmpty()) {
      int colon = field.indexOf(':');
      String name = field.substring(0, colon).trim();
      String value = field.substring(colon + 1).trim();
      fields.add(new String[] {name, value});
      if (name.equalsIgnoreCase("Content-Length")) {
        length = Long.parseLong(value);
      } else if (name.equalsIgnoreCase("Transfer-Encoding") && value.toLowerCase(Locale.ROOT).contains("chunked")) {
        chunked = true;
      }
    }
    int code = Integer.parseInt(status.substring(9, 12));
    ByteArrayOutputStream body = new ByteArrayOutputStream();
    if (head || code == 204 || code == 304 || (code >= 100 && code < 200)) {
      return new Response(code, fields, new byte[0]);
    }
    if (chunked) {
      long size;
      while ((size = Long.parseLong(requiredLine(in).split(";")[0].trim(), 16)) > 0) {
        body.write(in.readNBytes((int) size));
        requiredLine(in);
      }
      while (!requiredLine(in).isEmpty()) {
        // trailers
      }
    } else if (length >= 0) {
      body.write(in.readNBytes((int) length));
    } else {
      in.transferTo(body);
    }
    return new Response(code, fields, body.toByteArray());
  }

  /** The next line, which the response must have. */
  private static String requiredLine(InputStream in) throws IOException {
    String line = line(in);
    if (line == null) {
      throw new EOFException("the connection closed in the middle of a response");
    }
    return line;
  }

  /** The next line without its CRLF, or null at the end of the stream. */
  private static @Nullable String line(InputStream in) throws IOException {
    StringBuilder b = new StringBuilder();
    int c;
    while ((c = in.read()) >= 0) {
      if (c == '\n') {
        return b.length() > 0 && b.charAt(b.length() - 1) == '\r' ? b.substring(0, b.length() - 1) : b.toString();
      }
      b.append((char) c);
    }
    return b.length() == 0 ? null : b.toString();
  }
}
