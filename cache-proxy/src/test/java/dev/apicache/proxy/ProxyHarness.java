package dev.apicache.proxy;

import dev.apicache.CacheEngine;
import dev.apicache.CachePolicies;
import dev.apicache.adapter.testkit.AdapterHarness.SettableClock;
import dev.apicache.adapter.testkit.RawHttp;
import dev.apicache.http.HttpDate;
import dev.apicache.store.caffeine.CaffeineStore;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.TestInstance;

/**
 * One scripted upstream and one proxy in front of it, for a test class: the client side speaks raw
 * HTTP/1.1, so that every field (hop-by-hop ones included) is the test's to choose; time is a
 * clock the tests move, which the upstream's {@code Date} fields follow too.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class ProxyHarness {
  static final String ADMIN_TOKEN = "a-token-of-sixteen-chars-or-more";

  final SettableClock clock = new SettableClock();
  TestUpstream upstream;
  CacheEngine engine;
  ApiCacheProxy proxy;

  /** The policies the proxy serves; origin-directed everywhere by default, as {@code apicache proxy}. */
  CachePolicies policies() {
    return ApiCacheProxy.originDirectedPolicies();
  }

  ApiCacheProxy.Builder configure(ApiCacheProxy.Builder builder) {
    return builder;
  }

  /** The engine's settings beyond policies, store and clock; the default's, unless a suite says otherwise. */
  CacheEngine.Builder configure(CacheEngine.Builder builder) {
    return builder;
  }

  @BeforeAll
  void startProxy() throws IOException {
    upstream = TestUpstream.start();
    engine = configure(CacheEngine.builder(policies(), CaffeineStore.builder().ticker(clock::nanos).build())
        .clock(clock)).build();
    proxy = configure(ApiCacheProxy.builder(upstream.uri(), engine).port(0).adminToken(ADMIN_TOKEN)).start();
  }

  @AfterAll
  void stopProxy() throws IOException {
    if (proxy != null) {
      proxy.close();
    }
    if (engine != null) {
      engine.close();
    }
    if (upstream != null) {
      upstream.close();
    }
  }

  /** A path no other test uses. */
  static String unique(String prefix) {
    return prefix + "-" + UUID.randomUUID().toString().substring(0, 8);
  }

  /** The upstream's {@code Date} now, by the test clock. */
  String now() {
    return HttpDate.format(clock.millis());
  }

  /** The {@code Date} {@code offset} from now (negative for the past). */
  String at(Duration offset) {
    return HttpDate.format(clock.millis() + offset.toMillis());
  }

  RawHttp.Response get(String target, String... headers) throws IOException {
    return send("GET", target, null, headers);
  }

  /**
   * Sends {@code method target} with {@code headers} (name, value pairs) and {@code body} (none when
   * null) on a connection of its own, and reads the answer.
   */
  RawHttp.Response send(String method, String target, String body, String... headers) throws IOException {
    return send(proxy.address(), method, target, body, headers);
  }

  static RawHttp.Response send(URI to, String method, String target, String body, String... headers)
      throws IOException {
    StringBuilder b = new StringBuilder(method).append(' ').append(target).append(" HTTP/1.1\r\n")
        .append("Host: ").append(to.getHost()).append(':').append(to.getPort()).append("\r\n");
    for (int i = 0; i < headers.length; i += 2) {
      b.append(headers[i]).append(": ").append(headers[i + 1]).append("\r\n");
    }
    if (body != null) {
      b.append("Content-Length: ").append(body.getBytes(StandardCharsets.UTF_8).length)
          .append("\r\n");
    }
    b.append("Connection: close\r\n\r\n");
    byte[] head = RawHttp.latin1(b.toString());
    byte[] all = body == null ? head : concat(head, body.getBytes(StandardCharsets.UTF_8));
    return RawHttp.exchange(to, all, method.equals("HEAD"));
  }

  private static byte[] concat(byte[] a, byte[] b) {
    byte[] out = new byte[a.length + b.length];
    System.arraycopy(a, 0, out, 0, a.length);
    System.arraycopy(b, 0, out, a.length, b.length);
    return out;
  }

  static String xCache(RawHttp.Response r) {
    return r.header("X-Cache").orElse("");
  }
}
