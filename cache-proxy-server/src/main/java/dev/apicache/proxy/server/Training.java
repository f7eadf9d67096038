package dev.apicache.proxy.server;

import com.sun.net.httpserver.HttpServer;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

/**
 * The run the distribution's start-up cache is built from: the proxy in front of a small local
 * upstream, answering the kinds of requests a proxy answers (misses, hits, 304s, writes), so that
 * the classes and methods they need are already loaded and linked when a real proxy starts.
 */
final class Training {
  private Training() {}

  static void run(PrintStream out) throws IOException {
    HttpServer upstream = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 64);
    byte[] body = "{\"id\":1,\"name\":\"training\",\"tags\":[\"a\",\"b\"]}".getBytes(StandardCharsets.UTF_8);
    upstream.createContext("/", x -> {
      x.getRequestBody().readAllBytes();
      x.getResponseHeaders().set("Content-Type", "application/json");
      x.getResponseHeaders().set("Cache-Control", x.getRequestMethod().equals("GET") ? "max-age=60" : "no-store");
      x.getResponseHeaders().set("ETag", "\"v1\"");
      x.sendResponseHeaders(200, body.length);
      try (OutputStream o = x.getResponseBody()) {
        o.write(body);
      }
    });
    upstream.start();
    try {
      Settings s = Settings.parse(List.of("--upstream", "http://127.0.0.1:" + upstream.getAddress().getPort(),
          "--port", "0", "--management-port", "-1", "--access-log", "off"), Map.of());
      ProxyMain.Running running = ProxyMain.Running.start(s, out);
      try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), running.proxy.port())) {
        OutputStream o = socket.getOutputStream();
        InputStream in = new BufferedInputStream(socket.getInputStream());
        for (int i = 0; i < 3000; i++) {
          String request = switch (i % 4) {
            case 0 -> "GET /items/" + (i % 200) + " HTTP/1.1\r\nHost: t\r\n\r\n";
            case 1 -> "GET /items/" + (i % 200) + " HTTP/1.1\r\nHost: t\r\nIf-None-Match: \"v1\"\r\n\r\n";
            case 2 -> "POST /items HTTP/1.1\r\nHost: t\r\nContent-Length: 2\r\n\r\n{}";
            default -> "HEAD /items/" + (i % 50) + " HTTP/1.1\r\nHost: t\r\n\r\n";
          };
          o.write(request.getBytes(StandardCharsets.ISO_8859_1));
          o.flush();
          try {
            readResponse(in, i % 4 == 3);
          } catch (IOException e) {
            throw new IOException("request " + i + " (" + request.lines().findFirst().orElse("") + "): "
                + e.getMessage(), e);
          }
        }
      }
      running.drain(out);
    } finally {
      upstream.stop(0);
    }
  }

  /** Reads one response framed by Content-Length (the training upstream's only framing); a 304 has no body. */
  private static void readResponse(InputStream in, boolean head) throws IOException {
    int length = 0;
    boolean bodiless = head;
    StringBuilder line = new StringBuilder();
    while (true) {
      int c = in.read();
      if (c < 0) {
        throw new IOException("the proxy closed the connection");
      }
      if (c == '\n') {
        String l = line.toString().strip();
        if (l.isEmpty()) {
          break;
        }
        if (l.startsWith("HTTP/1.1 304") || l.startsWith("HTTP/1.1 204")) {
          bodiless = true;
        } else if (l.regionMatches(true, 0, "Content-Length:", 0, 15)) {
          length = Integer.parseInt(l.substring(15).strip());
        }
        line.setLength(0);
      } else {
        line.append((char) c);
      }
    }
    if (!bodiless) {
      in.readNBytes(length);
    }
  }
}
