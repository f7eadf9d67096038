package dev.apicache.proxy;

import dev.apicache.Bytes;
import dev.apicache.CacheRequest;
import dev.apicache.CacheResponse;
import dev.apicache.Headers;
import dev.apicache.Origin;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.SequenceInputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * The service behind the proxy, over one pooled HTTP/1.1 client: the engine's {@link Origin} for
 * misses and refreshes, and the plain forwarder for everything the cache does not answer.
 *
 * <p>The client keeps connections alive and reuses them. It retries only idempotent requests on a
 * connection the upstream closed while idle (the JDK client's rule), so an unsafe request is sent at
 * most once. {@code responseTimeout} bounds the wait for the response's header section.
 */
final class Upstream implements Origin {
  private static final System.Logger LOG = System.getLogger("dev.apicache.proxy");
  /** Set by the client from the body; a forwarded {@code Expect} would wait on a 100 nobody sends. */
  private static final Set<String> SET_BY_CLIENT = Set.of("content-length", "expect");
  private static final Set<String> SET_BY_CLIENT_WITH_HOST = Set.of("host", "content-length", "expect");
  /** Whether the JDK client may send a {@code Host} of the caller's (a JVM-wide setting read once). */
  private static final boolean HOST_FORWARDABLE = hostForwardable();
  /** The JDK client's own framing of the response; the proxy sends its own. */
  private static final Set<String> FRAMING = Set.of("content-length");

  private final URI base;
  private final HttpClient client;
  private final Duration responseTimeout;
  private final long maxHeldBytes;
  private final String via;

  Upstream(URI base, Duration connectTimeout, Duration responseTimeout, long maxHeldBytes, String via) {
    this.base = base;
    this.responseTimeout = responseTimeout;
    this.maxHeldBytes = maxHeldBytes;
    this.via = via;
    this.client = HttpClient.newBuilder()
        .version(HttpClient.Version.HTTP_1_1) // no h2c upgrade headers on the way to an HTTP/1.1 service
        .connectTimeout(connectTimeout)
        .followRedirects(HttpClient.Redirect.NEVER)
        .proxy(HttpClient.Builder.NO_PROXY)
        .build();
  }

  URI base() {
    return base;
  }

  /**
   * Asks the upstream for {@code request} without a body (the engine's GETs). A body up to the
   * hold limit is held; a larger one comes back as a pass-through stream.
   */
  @Override
  public CacheResponse fetch(CacheRequest request) throws IOException, InterruptedException {
    Exchange r = send(request.method(), request.target(), request.headers(), HttpRequest.BodyPublishers.noBody());
    InputStream in = r.body();
    byte[] held = in.readNBytes((int) Math.min(maxHeldBytes + 1, Integer.MAX_VALUE - 8));
    if (held.length <= maxHeldBytes) {
      in.close();
      return CacheResponse.of(r.status(), r.headers(), Bytes.copyOf(held));
    }
    return CacheResponse.passThrough(r.status(), r.headers(),
        new SequenceInputStream(new ByteArrayInputStream(held), in));
  }

  /** A response from the upstream: its status, its headers ready to send on, and its body, unread. */
  record Exchange(int status, Headers headers, long contentLength, InputStream body) {}

  /**
   * Sends {@code method target} with {@code headers} (the client's, per-hop fields already removed)
   * and {@code body}; the response's body is the caller's to read and close.
   *
   * @throws IllegalArgumentException when the JDK client cannot express the request (a target
   *     that is no URI, a method or field it refuses)
   */
  Exchange send(String method, String target, Headers headers, HttpRequest.BodyPublisher body)
      throws IOException, InterruptedException {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base.toString() + target))
        .method(method, body)
        .timeout(responseTimeout);
    Set<String> setByClient = HOST_FORWARDABLE ? SET_BY_CLIENT : SET_BY_CLIENT_WITH_HOST;
    headers.forEach((name, value) -> {
      if (!setByClient.contains(name.toLowerCase(Locale.ROOT))) {
        b.header(name, value);
      }
    });
    HttpResponse<InputStream> r = client.send(b.build(), HttpResponse.BodyHandlers.ofInputStream());
    Headers.Builder received = Headers.builder();
    for (Map.Entry<String, List<String>> e : r.headers().map().entrySet()) {
      if (!e.getKey().startsWith(":")) {
        e.getValue().forEach(v -> received.add(e.getKey(), v));
      }
    }
    Headers all = received.build();
    long length = all.first("Content-Length").map(Upstream::parseLength).orElse(-1L);
    return new Exchange(r.statusCode(), HopByHop.forwardable(all, FRAMING, via), length, r.body());
  }

  private static boolean hostForwardable() {
    try {
      HttpRequest.newBuilder(URI.create("http://127.0.0.1/")).header("Host", "probe");
      return true;
    } catch (IllegalArgumentException restricted) {
      LOG.log(System.Logger.Level.WARNING, "apicache proxy: the JDK HTTP client may not send Host, so the "
          + "upstream gets its own authority as Host (the client's is in X-Forwarded-Host); start the JVM with "
          + "-Djdk.httpclient.allowRestrictedHeaders=host to forward it unchanged");
      return false;
    }
  }

  private static long parseLength(String value) {
    try {
      return Long.parseLong(value.trim());
    } catch (NumberFormatException e) {
      return -1;
    }
  }
}
