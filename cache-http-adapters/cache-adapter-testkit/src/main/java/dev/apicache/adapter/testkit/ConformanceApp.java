package dev.apicache.adapter.testkit;

import dev.apicache.Bytes;
import dev.apicache.CachePolicies;
import dev.apicache.CacheRequest;
import dev.apicache.CacheResponse;
import dev.apicache.PolicyFile;
import dev.apicache.adapter.LoopbackOrigin;
import java.util.Arrays;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.jspecify.annotations.Nullable;

/**
 * The application every adapter serves in the conformance suite: a few routes whose answers show
 * what the cache did (a version number that writes move, the tenant, the caller), and counters of
 * how often each route really ran. An adapter's test registers one catch-all route that hands each
 * request (body included) to {@link #handle} and writes the reply, and protects {@code /guarded}
 * with the framework's own access control: a request without {@code Cookie: session=ok} gets 403
 * (see {@link AdversarialSuite}). Thread-safe.
 *
 * @since 0.1
 */
public final class ConformanceApp {
  /** The admin API's token on the suites' servers (each mounts {@code AdminApi} with it). */
  public static final String ADMIN_TOKEN = "conformance-admin-token";

  /** The policies of the suite, loaded through the policy file loader as a user would. */
  public static final String POLICIES_YAML = String.join("\n",
      "policies:",
      "  - path: /products",
      "    ttl: 60s",
      "    staleWhileRevalidate: 30s",
      "    varyBy: [category, page]",
      "    invalidateOn: [product.updated]",
      "  - path: /products/{id}",
      "    ttl: 60s",
      "    staleWhileRevalidate: 30s",
      "    invalidateOn: [product.updated]",
      "    tags: [\"product:{id}\"]",
      "  - path: /config",
      "    ttl: 60s",
      "    varyBy: [\"header:X-Tenant-Id\"]",
      "  - path: /profile",
      "    ttl: 0",
      "  - path: /cookie",
      "    ttl: 60s",
      "  - path: /private",
      "    ttl: 60s",
      "  - path: /auth",
      "    ttl: 60s",
      "  - path: /flaky",
      "    ttl: 10s",
      "    staleIfError: 5m",
      "  - path: /slow",
      "    ttl: 10s",
      "    staleWhileRevalidate: 60s",
      "  - path: /held/{id}",
      "    ttl: 60s",
      "  - path: /big",
      "    ttl: 60s",
      "    maxBodySize: 1KB",
      "  - path: /echo",
      "    ttl: 60s",
      "    staleWhileRevalidate: 60s",
      "    varyBy: [\"header:X-Tenant-Id\"]",
      "  - path: /items/{id:int}",
      "    ttl: 60s",
      "    tags: [\"item:{id}\"]",
      "  - path: /guarded",
      "    ttl: 60s",
      "    shared: true",
      "  - path: /huge",
      "    ttl: 60s",
      "    varyBy: [size]",
      "    maxBodySize: 1KB",
      "  - path: /host",
      "    ttl: 60s",
      "  - path: /inplace",
      "    ttl: 60s",
      "  - path: /throwing/{id}",
      "    ttl: 10s",
      "    staleIfError: 5m",
      "  - path: /report",
      "    ttl: 60s",
      "    compress: true",
      "writes:",
      "  - path: /products/**",
      "    methods: [POST, PUT, PATCH, DELETE]",
      "    events: [product.updated]",
      "");

  private final Map<String, AtomicInteger> calls = new ConcurrentHashMap<>();
  private final AtomicInteger version = new AtomicInteger(1);
  private volatile int flakyStatus = 200;
  private volatile CountDownLatch slowGate = new CountDownLatch(0);
  private final AtomicInteger slowCalls = new AtomicInteger();
  private volatile CountDownLatch heldGate = new CountDownLatch(0);
  private final Set<String> throwing = ConcurrentHashMap.newKeySet();

  /** The suite's policies. */
  public static CachePolicies policies() {
    return PolicyFile.parse(POLICIES_YAML, "conformance.yaml", Map.of());
  }

  /** How many times the application really served {@code method path} (query ignored). */
  public int calls(String method, String path) {
    AtomicInteger n = calls.get(method + " " + path);
    return n == null ? 0 : n.get();
  }

  /** The data version that writes move; responses carry it. */
  public int version() {
    return version.get();
  }

  /** Bumps the data version without telling the cache, as a change made elsewhere would. */
  public void changeDataBehindTheCache() {
    version.incrementAndGet();
  }

  /** What {@code /flaky} answers from now on. */
  public void flakyStatus(int status) {
    flakyStatus = status;
  }

  /** Makes {@code /slow} block until {@link #openSlow()}. */
  public void closeSlow() {
    slowGate = new CountDownLatch(1);
  }

  /** Lets every {@code /slow} call waiting for the gate answer. */
  public void openSlow() {
    slowGate.countDown();
  }

  /** Makes {@code /held/*} block until {@link #releaseHeld()}. */
  public void holdHeld() {
    heldGate = new CountDownLatch(1);
  }

  /** Lets every {@code /held/...} call waiting for the gate answer. */
  public void releaseHeld() {
    heldGate.countDown();
  }

  /** Makes the handler of {@code /throwing/{id}} throw from now on, as an application bug would. */
  public void throwFor(String id) {
    throwing.add(id);
  }

  /** Calls of {@code /slow} that have started, blocked or not. */
  public int slowCallsStarted() {
    return slowCalls.get();
  }

  /** The id of {@code /items/{id}} as this application reads it: a decimal integer, as {@code Long.parseLong}. */
  private static @Nullable Long itemId(String path) {
    try {
      return Long.parseLong(path.substring("/items/".length()));
    } catch (NumberFormatException e) {
      return null;
    }
  }

  /**
   * Every character of {@code text} as four hex digits: what the handler saw, comparable whatever the
   * characters are.
   */
  public static String hex(String text) {
    StringBuilder b = new StringBuilder(text.length() * 4);
    for (int i = 0; i < text.length(); i++) {
      b.append(String.format("%04x", (int) text.charAt(i)));
    }
    return b.toString();
  }

  /**
   * The request attribute a test server's security filter sets from the {@link #PRINCIPAL_HEADER}
   * header, as an authentication filter would set a principal.
   */
  public static final String PRINCIPAL_ATTRIBUTE = "conformance.principal";

  /** The request header a test server's security filter reads the principal from. */
  public static final String PRINCIPAL_HEADER = "X-Test-Principal";

  /** What {@code /echo} and {@code /echo-uncached} answer: the fields the handler saw, hex-encoded. */
  private static CacheResponse echo(CacheRequest request) {
    StringBuilder b = new StringBuilder("{");
    for (String name : new String[] {"X-Tenant-Id", "X-Other", "Host", "User-Agent"}) {
      b.append('"').append(name).append("\":\"")
          .append(request.headers().all(name).stream().map(ConformanceApp::hex).reduce((x, y) -> x + "," + y).orElse("-"))
          .append("\",");
    }
    return json(200, b.append("\"query\":\"").append(hex(request.rawQuery())).append("\"}").toString());
  }

  /** Serves one request. */
  public CacheResponse handle(CacheRequest request) throws InterruptedException {
    String path = request.path();
    calls.computeIfAbsent(request.method() + " " + path, k -> new AtomicInteger()).incrementAndGet();
    String method = request.method();
    if (!method.equals("GET") && !method.equals("HEAD")) {
      if (path.startsWith("/products")) {
        int v = version.incrementAndGet();
        return json(method.equals("POST") ? 201 : 200, "{\"version\":" + v + "}");
      }
      if (path.startsWith("/items/")) {
        Long id = itemId(path);
        if (id == null) {
          return CacheResponse.builder(400).body("id must be a number").build();
        }
        return json(200, "{\"item\":" + id + ",\"version\":" + version.incrementAndGet() + "}");
      }
      if (path.equals("/upload")) {
        return json(200, "{\"received\":" + request.body().size() + ",\"hash\":" + Arrays.hashCode(
            request.body().toByteArray()) + "}");
      }
      return CacheResponse.builder(405).body("method not allowed").build();
    }
    int v = version.get();
    if (path.equals("/echo") || path.equals("/echo-uncached")) {
      return echo(request);
    }
    if (path.startsWith("/items/")) {
      Long id = itemId(path);
      return id == null ? CacheResponse.builder(400).body("id must be a number").build()
          : json(200, "{\"item\":" + id + ",\"version\":" + v + "}");
    }
    if (path.equals("/products")) {
      return json(200, "{\"list\":true,\"version\":" + v + ",\"query\":\"" + request.rawQuery() + "\"}");
    }
    if (path.startsWith("/held/")) {
      if (!heldGate.await(30, TimeUnit.SECONDS)) {
        return CacheResponse.builder(504).body("gate never opened").build();
      }
      return json(200, "{\"held\":\"" + path + "\",\"version\":" + v + "}");
    }
    if (path.startsWith("/throwing/")) {
      String id = path.substring("/throwing/".length());
      if (throwing.contains(id)) {
        throw new IllegalStateException("the application failed on " + id);
      }
      return json(200, "{\"throwing\":\"" + id + "\",\"version\":" + v + "}");
    }
    if (path.startsWith("/products/")) {
      return json(200, "{\"id\":\"" + path.substring("/products/".length()) + "\",\"version\":" + v + "}");
    }
    switch (path) {
      case "/config":
        return json(200, "{\"tenant\":\"" + request.headers().first("X-Tenant-Id").orElse("none") + "\",\"version\":" + v + "}");
      case "/profile":
      case "/uncached":
        return json(200, "{\"path\":\"" + path + "\",\"version\":" + v + "}");
      case "/cookie":
        return CacheResponse.builder(200).header("Set-Cookie", "session=s" + v + "; HttpOnly")
            .header("Content-Type", "application/json").body("{\"cookie\":" + v + "}").build();
      case "/private":
        return CacheResponse.builder(200).header("Cache-Control", "private")
            .header("Content-Type", "application/json").body("{\"private\":" + v + "}").build();
      case "/auth":
        return json(200, "{\"caller\":\"" + request.headers().first("Authorization").orElse("anonymous") + "\"}");
      case "/flaky":
        return flakyStatus == 200 ? json(200, "{\"flaky\":" + v + "}")
            : CacheResponse.builder(flakyStatus).body("origin failing").build();
      case "/slow":
        slowCalls.incrementAndGet();
        if (!slowGate.await(30, TimeUnit.SECONDS)) {
          return CacheResponse.builder(504).body("gate never opened").build();
        }
        return json(200, "{\"slow\":" + v + "}");
      case "/big":
        return CacheResponse.builder(200).header("Content-Type", "text/plain").body(Bytes.utf8("x".repeat(4096))).build();
      case "/huge":
        int size = Integer.parseInt(request.rawQuery().replace("size=", ""));
        byte[] huge = new byte[size];
        for (int i = 0; i < size; i++) {
          huge[i] = (byte) ('a' + i % 26);
        }
        return CacheResponse.builder(200).header("Content-Type", "application/octet-stream").body(Bytes.copyOf(huge))
            .build();
      case "/guarded":
        return json(200, "{\"guarded\":" + v + "}");
      case "/inplace":
        // a loopback call carries the engine's marker and none of the request's attributes
        return json(200, "{\"loopback\":" + request.headers().contains(LoopbackOrigin.MARKER_HEADER)
            + ",\"principal\":\"" + request.attribute(PRINCIPAL_ATTRIBUTE).orElse("-") + "\"}");
      case "/host":
        return json(200, "{\"host\":\"" + hex(request.headers().first("Host").orElse("-")) + "\"}");
      case "/report":
        return json(200, REPORT);
      default:
        return CacheResponse.builder(404).body("not found").build();
    }
  }

  /** What {@code /report} answers: 4 KiB of repetitive JSON, stored compressed. */
  public static final String REPORT = "[" + "{\"region\":\"north\",\"sales\":1234.5,\"units\":42},".repeat(90)
      + "{}]";

  private static CacheResponse json(int status, String body) {
    return CacheResponse.builder(status).header("Content-Type", "application/json").body(body).build();
  }
}
