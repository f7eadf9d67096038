package dev.apicache;

import static java.util.Objects.requireNonNull;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.Base64;
import java.util.Locale;
import java.util.Set;

/**
 * An {@link Origin} that asks the application's own HTTP server, over loopback, with a secret
 * header that tells the adapter to let the request through to the handler untouched.
 *
 * <p>This is how an adapter gives the engine an origin that still works after the client's request
 * completed (background revalidation) and that runs the real handler with its own filters, for any
 * framework: the request snapshot carries the full path, query and headers, so the response is the
 * one the client's request would have had. Conditional and encoding headers are already removed by
 * the engine. {@code Host} cannot be set by the JDK client; the original goes as
 * {@code X-Forwarded-Host}.
 *
 * <p>The secret is 256 random bits per instance, compared in constant time: a client that sends the
 * header without it is treated like any other client. Thread-safe.
 */
public final class LoopbackOrigin implements Origin {
  /** The header that marks a request as the cache's own origin call. */
  public static final String MARKER_HEADER = "X-Apicache-Origin";

  private static final Set<String> NOT_FORWARDED = Set.of("host", "connection", "content-length", "expect", "upgrade",
      "keep-alive", "transfer-encoding", "te", "trailer", "http2-settings", "proxy-connection",
      MARKER_HEADER.toLowerCase(Locale.ROOT));
  private static final Set<String> NOT_RETURNED = Set.of("connection", "keep-alive", "transfer-encoding", "upgrade",
      "content-length", "proxy-connection", "te", "trailer");

  private final URI base;
  private final String secret;
  private final byte[] secretBytes;
  private final Duration timeout;
  private final long maxResponseBytes;
  private final HttpClient client;

  private LoopbackOrigin(URI base, Duration timeout, long maxResponseBytes) {
    this.base = base;
    byte[] random = new byte[32];
    new SecureRandom().nextBytes(random);
    this.secret = Base64.getUrlEncoder().withoutPadding().encodeToString(random);
    this.secretBytes = secret.getBytes(StandardCharsets.US_ASCII);
    this.timeout = timeout;
    this.maxResponseBytes = maxResponseBytes;
    this.client = HttpClient.newBuilder()
        .version(HttpClient.Version.HTTP_1_1)
        .connectTimeout(Duration.ofSeconds(2))
        .followRedirects(HttpClient.Redirect.NEVER)
        .build();
  }

  /**
   * An origin for the server at {@code base} (scheme, host and port, such as
   * {@code http://127.0.0.1:8080}), with a 30 s timeout and a 64 MiB response limit.
   */
  public static LoopbackOrigin to(URI base) {
    return to(base, Duration.ofSeconds(30), 64L << 20);
  }

  /**
   * An origin for the connector a request arrived on: its {@code scheme}, local {@code address}
   * (an IPv6 address is bracketed) and local {@code port}. What adapters use by default.
   */
  public static LoopbackOrigin toLocal(String scheme, String address, int port) {
    String host = address.indexOf(':') >= 0 ? "[" + address + "]" : address;
    return to(URI.create(scheme + "://" + host + ":" + port));
  }

  /** As {@link #to(URI)}, with an explicit timeout per call and the largest response body read. */
  public static LoopbackOrigin to(URI base, Duration timeout, long maxResponseBytes) {
    requireNonNull(base, "base");
    requireNonNull(timeout, "timeout");
    if (base.getScheme() == null || base.getHost() == null) {
      throw new IllegalArgumentException("base must be absolute, like http://127.0.0.1:8080, but was " + base);
    }
    if (maxResponseBytes <= 0) {
      throw new IllegalArgumentException("maxResponseBytes must be > 0 but was " + maxResponseBytes);
    }
    return new LoopbackOrigin(base, timeout, maxResponseBytes);
  }

  /** True when {@code markerValue} (the {@link #MARKER_HEADER} of a request) is this origin's secret. */
  public boolean isOwnCall(String markerValue) {
    return markerValue != null
        && MessageDigest.isEqual(markerValue.getBytes(StandardCharsets.US_ASCII), secretBytes);
  }

  @Override
  public CacheResponse fetch(CacheRequest request) throws IOException, InterruptedException {
    URI uri = base.resolve(request.target());
    HttpRequest.BodyPublisher body = request.body().isEmpty() ? HttpRequest.BodyPublishers.noBody()
        : HttpRequest.BodyPublishers.ofByteArray(request.body().toByteArray());
    HttpRequest.Builder out = HttpRequest.newBuilder(uri).timeout(timeout).method(request.method(), body);
    request.headers().forEach((name, value) -> {
      if (!NOT_FORWARDED.contains(name.toLowerCase(Locale.ROOT))) {
        out.header(name, value);
      }
    });
    request.headers().first("Host").ifPresent(host -> out.setHeader("X-Forwarded-Host", host));
    out.setHeader(MARKER_HEADER, secret);
    HttpResponse<InputStream> response = client.send(out.build(), HttpResponse.BodyHandlers.ofInputStream());
    byte[] bytes;
    try (InputStream in = response.body()) {
      bytes = in.readNBytes((int) Math.min(Integer.MAX_VALUE - 8, maxResponseBytes + 1));
    }
    if (bytes.length > maxResponseBytes) {
      throw new IOException("origin response for " + request.method() + " " + request.path() + " is over "
          + maxResponseBytes + " bytes");
    }
    Headers.Builder headers = Headers.builder();
    response.headers().map().forEach((name, values) -> {
      if (!name.startsWith(":") && !NOT_RETURNED.contains(name.toLowerCase(Locale.ROOT))) {
        values.forEach(v -> headers.add(name, v));
      }
    });
    return CacheResponse.of(response.statusCode(), headers.build(), Bytes.adopt(bytes));
  }

  @Override
  public String toString() {
    return "LoopbackOrigin[" + base + "]";
  }
}
