package dev.apicache.proxy;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * A real HTTP/1.1 server on a free loopback port that answers each path with a script and records
 * every request it gets, byte for byte as parsed: what the RFC suite asserts the proxy forwarded.
 * Written on raw sockets so that the tests, not a server library, decide every response field
 * ({@code Date} included). Keeps connections alive, as a real upstream would.
 */
final class TestUpstream implements AutoCloseable {
  /** A request as the upstream received it. */
  record Seen(String method, String target, List<String[]> headers, byte[] body) {
    Optional<String> header(String name) {
      return headers.stream().filter(h -> h[0].equalsIgnoreCase(name)).map(h -> h[1]).findFirst();
    }

    List<String> all(String name) {
      return headers.stream().filter(h -> h[0].equalsIgnoreCase(name)).map(h -> h[1]).toList();
    }

    String path() {
      int q = target.indexOf('?');
      return q < 0 ? target : target.substring(0, q);
    }
  }

  /** A response to send: status, header lines in order, body; {@code Content-Length} is added unless given. */
  record Reply(int status, List<String[]> headers, byte[] body, boolean dropConnection, Raw raw) {
    static Reply of(int status, String body, String... namesAndValues) {
      List<String[]> h = new ArrayList<>();
      for (int i = 0; i < namesAndValues.length; i += 2) {
        h.add(new String[] {namesAndValues[i], namesAndValues[i + 1]});
      }
      return new Reply(status, h, body.getBytes(StandardCharsets.UTF_8), false, null);
    }

    /** Closes the connection without answering. */
    static Reply hangUp() {
      return new Reply(0, List.of(), new byte[0], true, null);
    }

    /**
     * Writes whatever {@code raw} writes (malformed framing, a stream in parts, a protocol switch);
     * the connection then closes.
     */
    static Reply raw(Raw raw) {
      return new Reply(0, List.of(), new byte[0], true, raw);
    }
  }

  /** Writes a response byte for byte, and may go on reading the connection (a tunnel). */
  @FunctionalInterface
  interface Raw {
    void write(InputStream in, OutputStream out) throws Exception;
  }

  /** Answers one request. */
  @FunctionalInterface
  interface Script {
    Reply answer(Seen request) throws Exception;
  }

  private final ServerSocket socket;
  private final ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor();
  private final Map<String, Script> scripts = new ConcurrentHashMap<>();
  private final List<Seen> seen = new CopyOnWriteArrayList<>();
  private final List<Socket> open = new CopyOnWriteArrayList<>();

  private TestUpstream() throws IOException {
    socket = new ServerSocket(0, 128, InetAddress.getLoopbackAddress());
    threads.submit(this::accept);
  }

  static TestUpstream start() throws IOException {
    return new TestUpstream();
  }

  URI uri() {
    return URI.create("http://127.0.0.1:" + socket.getLocalPort());
  }

  /** Answers requests for {@code path} (without query) with {@code script}; other paths get 404. */
  void on(String path, Script script) {
    scripts.put(path, script);
  }

  /** The requests seen for {@code path}, in order. */
  List<Seen> seen(String path) {
    return seen.stream().filter(s -> s.path().equals(path)).toList();
  }

  int count(String path) {
    return seen(path).size();
  }

  @Override
  public void close() throws IOException {
    socket.close();
    for (Socket s : open) {
      s.close();
    }
    threads.shutdownNow();
  }

  private void accept() {
    while (!socket.isClosed()) {
      try {
        Socket s = socket.accept();
        open.add(s);
        threads.submit(() -> serve(s));
      } catch (IOException closed) {
        return;
      }
    }
  }

  private void serve(Socket s) {
    try (s; InputStream in = new BufferedInputStream(s.getInputStream()); OutputStream out = s.getOutputStream()) {
      while (true) {
        String requestLine = line(in);
        if (requestLine == null) {
          return;
        }
        String[] parts = requestLine.split(" ");
        List<String[]> headers = new ArrayList<>();
        for (String l = line(in); l != null && !l.isEmpty(); l = line(in)) {
          int colon = l.indexOf(':');
          headers.add(new String[] {l.substring(0, colon), l.substring(colon + 1).strip()});
        }
        byte[] body = body(in, headers);
        Seen request = new Seen(parts[0], parts[1], List.copyOf(headers), body);
        seen.add(request);
        Script script = scripts.get(request.path());
        Reply reply = script == null ? Reply.of(404, "no script for " + request.path()) : script.answer(request);
        if (reply.raw() != null) {
          reply.raw().write(in, out);
          out.flush();
        }
        if (reply.dropConnection()) {
          return;
        }
        write(out, request, reply);
      }
    } catch (Exception e) {
      // the connection ends; the proxy sees it and answers its client
    } finally {
      open.remove(s);
    }
  }

  private static void write(OutputStream out, Seen request, Reply reply) throws IOException {
    StringBuilder head = new StringBuilder("HTTP/1.1 ").append(reply.status()).append(" Status\r\n");
    boolean hasLength = false;
    for (String[] h : reply.headers()) {
      head.append(h[0]).append(": ").append(h[1]).append("\r\n");
      hasLength |= h[0].equalsIgnoreCase("Content-Length") || h[0].equalsIgnoreCase("Transfer-Encoding");
    }
    boolean bodiless = reply.status() == 304 || reply.status() == 204 || reply.status() < 200;
    if (!hasLength && !bodiless) {
      head.append("Content-Length: ").append(reply.body().length).append("\r\n");
    }
    head.append("\r\n");
    out.write(head.toString().getBytes(StandardCharsets.ISO_8859_1));
    if (!request.method().equals("HEAD") && !bodiless) {
      out.write(reply.body());
    }
    out.flush();
  }

  private static byte[] body(InputStream in, List<String[]> headers) throws IOException {
    for (String[] h : headers) {
      if (h[0].equalsIgnoreCase("Content-Length")) {
        return in.readNBytes(Integer.parseInt(h[1]));
      }
      if (h[0].equalsIgnoreCase("Transfer-Encoding") && h[1].toLowerCase(Locale.ROOT).contains("chunked")) {
        ByteArrayOutputStream all = new ByteArrayOutputStream();
        for (int size = Integer.parseInt(line(in).split(";")[0].strip(), 16); size > 0;
            size = Integer.parseInt(line(in).split(";")[0].strip(), 16)) {
          all.write(in.readNBytes(size));
          line(in);
        }
        for (String l = line(in); l != null && !l.isEmpty(); l = line(in)) {
          // trailer fields: not kept
        }
        return all.toByteArray();
      }
    }
    return new byte[0];
  }

  private static String line(InputStream in) throws IOException {
    ByteArrayOutputStream b = new ByteArrayOutputStream();
    int c;
    while ((c = in.read()) >= 0) {
      if (c == '\n') {
        String s = b.toString(StandardCharsets.ISO_8859_1);
        return s.endsWith("\r") ? s.substring(0, s.length() - 1) : s;
      }
      b.write(c);
    }
    return b.size() == 0 ? null : b.toString(StandardCharsets.ISO_8859_1);
  }
}
