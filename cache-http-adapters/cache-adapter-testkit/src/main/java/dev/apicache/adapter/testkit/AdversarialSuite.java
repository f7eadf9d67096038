package dev.apicache.adapter.testkit;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.integers;
import static org.quicktheories.generators.SourceDSL.lists;

import java.io.BufferedInputStream;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.quicktheories.core.Gen;

/**
 * What a cache-security tester tries, kept as tests that every adapter passes on every store: the
 * handler sees exactly the bytes the client sent, no response reaches a request with other key parts,
 * aliases never outlive a write, the cache adds no limit of its own, a cached response never skips
 * the framework's access control, and hosts, odd URLs and odd framing never mix answers. Extend it
 * like {@link AdapterConformance}.
 *
 * @since 0.1
 */
public abstract class AdversarialSuite extends AdapterHarness {
  private static final Pattern FIELD = Pattern.compile("\"([A-Za-z-]+)\":\"([^\"]*)\"");

  /**
   * Whether the cache sits behind the application's own access control, as an adapter does; a
   * proxy in front of a service cannot, and relies on the service marking what it guards.
   */
  protected boolean runsBehindTheApplicationsAccessControl() {
    return true;
  }

  /**
   * Whether header bytes above 0x7f reach the application at all through this server; a proxy
   * whose server replaces them refuses such requests instead of forwarding altered bytes.
   */
  protected boolean forwardsObsTextFieldBytes() {
    return true;
  }

  /** Header bytes a client may send: visible ASCII, spaces inside, and obs-text (0x80-0xFF). */
  private static final Gen<byte[]> FIELD_BYTES = lists().of(integers().between(0, 0xff - 0x21 - 1))
      .ofSizeBetween(1, 12).map(codes -> {
        byte[] out = new byte[codes.size() + 2];
        out[0] = 'v';
        for (int i = 0; i < codes.size(); i++) {
          int c = 0x21 + codes.get(i);
          out[i + 1] = (byte) (c >= 0x7f ? c + 1 : c); // skip DEL
        }
        out[out.length - 1] = 'z';
        return out;
      });

  // ---------------------------------------------------------------------------------- bytes

  /** A GET with raw header bytes, answered over a fresh connection. */
  private RawHttp.Response rawGet(String target, Map<String, byte[]> fields) throws IOException {
    ByteArrayOutputStream request = new ByteArrayOutputStream();
    request.writeBytes(RawHttp.latin1("GET " + target + " HTTP/1.1\r\nHost: 127.0.0.1:" + server().getPort() + "\r\n"));
    fields.forEach((name, value) -> {
      request.writeBytes(RawHttp.latin1(name + ": "));
      request.writeBytes(value);
      request.writeBytes(RawHttp.latin1("\r\n"));
    });
    request.writeBytes(RawHttp.latin1("Connection: close\r\n\r\n"));
    return RawHttp.exchange(server(), request.toByteArray());
  }

  private static Map<String, String> fields(RawHttp.Response r) {
    Map<String, String> out = new HashMap<>();
    Matcher m = FIELD.matcher(r.text());
    while (m.find()) {
      out.put(m.group(1), m.group(2));
    }
    return out;
  }

  private static Map<String, byte[]> tenantAndOther(byte[] tenant, byte[] other) {
    Map<String, byte[]> f = new LinkedHashMap<>();
    f.put("X-Tenant-Id", tenant);
    f.put("X-Other", other);
    f.put("User-Agent", other);
    return f;
  }

  @Test
  void headerBytes_reachTheHandlerAsTheyDoWithoutTheCache_onAMiss() {
    assumeTrue(forwardsObsTextFieldBytes(), "this server does not forward obs-text field bytes");
    qt().withExamples(60).forAll(FIELD_BYTES, FIELD_BYTES).checkAssert((tenant, other) -> {
      try {
        Map<String, byte[]> f = tenantAndOther(tenant, other);
        Map<String, String> baseline = fields(rawGet("/echo-uncached", f));
        RawHttp.Response cached = rawGet("/echo", f);
        assertEquals(200, cached.status(), cached.text());
        Map<String, String> seen = fields(cached);
        assertEquals(baseline.get("X-Tenant-Id"), seen.get("X-Tenant-Id"), "the key part the handler saw");
        if ("MISS".equals(cached.header("X-Cache").orElse(""))) {
          assertEquals(baseline, seen, "every field the handler saw on the miss");
        }
      } catch (IOException e) {
        throw new AssertionError(e);
      }
    });
  }

  @Test
  void headerCase_reachesTheHandlerAsSent_missAfterMiss() throws Exception {
    // misses in a row whose standard headers differ only in case: a server that keeps header fields
    // per connection (Jetty does) must not hand one request another's spelling
    String agent = "Probe-Agent/1 " + unique();
    for (String value : new String[] {agent, agent.toLowerCase(Locale.ROOT),
        agent.toUpperCase(Locale.ROOT)}) {
      Map<String, byte[]> f = Map.of("X-Tenant-Id", bytes("case-" + unique()), "User-Agent", bytes(value));
      assertEquals(fields(rawGet("/echo-uncached", f)), fields(rawGet("/echo", f)), value);
    }
  }

  @Test
  void headerBytes_reachTheHandlerUnchanged_onABackgroundRevalidation() throws Exception {
    assumeTrue(forwardsObsTextFieldBytes(), "this server does not forward obs-text field bytes");
    byte[][] tenants = {bytes("t-\u00d6-1"), bytes("t-\u00c3\u0096-2"), {'t', (byte) 0xff, (byte) 0x80, '3'}};
    for (byte[] tenant : tenants) {
      byte[] other = bytes("caf\u00c3\u00a9 " + unique());
      Map<String, byte[]> f = tenantAndOther(tenant, other);
      Map<String, String> baseline = fields(rawGet("/echo-uncached", f));
      rawGet("/echo", tenantAndOther(tenant, bytes("first-" + unique())));
      clock.advance(Duration.ofSeconds(90)); // past ttl 60s, inside stale-while-revalidate 60s
      RawHttp.Response stale = rawGet("/echo", f);
      assertEquals("STALE", stale.header("X-Cache").orElse(""), stale.text());
      await("() -> baseline.equals(fields(rawGet(\"/echo\", tenantAndOther(tenant, bytes(\"probe\")))))")
          .atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(20))
          .until(() -> baseline.equals(fields(rawGet("/echo", tenantAndOther(tenant, bytes("probe"))))));
    }
  }

  @Test
  void responsesNeverReachARequestWithOtherKeyParts() {
    // a few tenants whose bytes differ only above 0x7f, and query values that differ only in spelling
    Gen<Integer> step = integers().between(0, 5);
    qt().withExamples(40).forAll(lists().of(step).ofSizeBetween(5, 25), FIELD_BYTES).checkAssert((steps, salt) -> {
      try {
        String run = unique();
        byte[][] tenants = {bytes("a" + run + "\u00e9"), bytes("a" + run + "\u00e8"), concat(bytes("a" + run), salt)};
        for (int s : steps) {
          byte[] tenant = tenants[s % tenants.length];
          Map<String, byte[]> f = Map.of("X-Tenant-Id", tenant);
          String expected = fields(rawGet("/echo-uncached", f)).get("X-Tenant-Id");
          assertEquals(expected, fields(rawGet("/echo", f)).get("X-Tenant-Id"), "tenant of step " + s);
          String category = run + (s % 2 == 0 ? "caf%C3%A9" : "cafe%CC%81");
          HttpResponse<String> list = get("/products?category=" + category + "&page=" + (s % 3));
          String echoed = list.body().replaceAll(".*\"query\":\"([^\"]*)\".*", "$1");
          assertTrue(echoed.contains("category=" + category + "&"), "query of step " + s + ": " + echoed);
        }
      } catch (IOException | InterruptedException e) {
        throw new AssertionError(e);
      }
    });
  }

  @Test
  void hostsAreKeptApart() throws Exception {
    Map<String, String> first = new HashMap<>();
    for (String host : new String[] {"a.example", "b.example", "A.EXAMPLE"}) {
      RawHttp.Response r = RawHttp.exchange(server(), RawHttp.latin1("GET /host HTTP/1.1\r\nHost: " + host
          + "\r\nConnection: close\r\n\r\n"));
      assertEquals(200, r.status());
      first.put(host, r.text());
      // a host's answer names that host, or its lower-case spelling, which is the same host
      assertTrue(r.text().contains(ConformanceApp.hex(host))
          || r.text().contains(ConformanceApp.hex(host.toLowerCase(Locale.ROOT))), host + " got " + r.text());
    }
    assertNotEquals(first.get("a.example"), first.get("b.example"));
  }

  // ---------------------------------------------------------------------------------- aliases, URLs

  @Test
  void aliasesNeverServeDataOlderThanACompletedWrite() throws Exception {
    String id = Integer.toString(1000 + (int) (Math.random() * 1_000_000));
    String[] aliases = {"/items/" + id, "/items/0" + id, "/items/+" + id, "/items/00" + id};
    for (String alias : aliases) {
      get(alias);
    }
    for (String written : new String[] {"/items/" + id, "/items/0" + id}) {
      HttpResponse<String> put = send(HttpRequest.newBuilder(uri(written)).PUT(HttpRequest.BodyPublishers.ofString("{}")));
      assertEquals(200, put.statusCode());
      int version = Integer.parseInt(put.body().replaceAll(".*\"version\":(\\d+).*", "$1"));
      for (String alias : aliases) {
        HttpResponse<String> r = get(alias);
        int served = Integer.parseInt(r.body().replaceAll(".*\"version\":(\\d+).*", "$1"));
        assertTrue(served >= version, written + " then " + alias + " served version " + served + " < " + version);
      }
    }
  }

  @Test
  void spellingsTheApplicationRoutesElsewhere_areNeverAnsweredFromTheCache() throws Exception {
    String category = unique();
    get("/products?category=" + category);
    assertEquals("HIT", header(get("/products?category=" + category), "X-Cache"));
    for (String other : new String[] {"/%70roducts?category=" + category, "/products/?category=" + category,
        "/products;x=1?category=" + category, "/PRODUCTS?category=" + category}) {
      RawHttp.Response r = RawHttp.exchange(server(), RawHttp.latin1("GET " + other + " HTTP/1.1\r\nHost: 127.0.0.1\r\n"
          + "Connection: close\r\n\r\n"));
      assertNotEquals("HIT", r.header("X-Cache").orElse(""), other);
      assertFalse(r.text().contains("\"list\":true"), other + " must get the application's own answer: " + r.text());
    }
  }

  @Test
  void dotSegmentsDoubleSlashesAndDeceptionPaths_areNeverCached() throws Exception {
    for (String target : new String[] {"/products/../config", "/products/%2e%2e/config", "//products",
        "/profile/x.css", "/profile;.css", "/profile/%2e%2e/products", "/products/x/..%2f..%2fconfig"}) {
      for (int i = 0; i < 2; i++) {
        RawHttp.Response r = RawHttp.exchange(server(), RawHttp.latin1("GET " + target + " HTTP/1.1\r\nHost: 127.0.0.1\r\n"
            + "Connection: close\r\n\r\n"));
        assertTrue(r.status() < 500, target + " -> " + r.status());
        assertNotEquals("HIT", r.header("X-Cache").orElse(""), target);
      }
    }
  }

  @Test
  void rewriteOverrideAndForwardingHeaders_neverPickAnotherEntry() throws Exception {
    String category = unique();
    String list = get("/products?category=" + category).body();
    String[][] attacks = {{"X-Original-URL", "/config"}, {"X-Rewrite-URL", "/config"},
        {"X-HTTP-Method-Override", "DELETE"}, {"X-Forwarded-Host", "evil.example"}, {"X-Forwarded-Proto", "https"},
        {"X-Forwarded-Prefix", "/evil"}, {"Forwarded", "host=evil.example;proto=https"}};
    int before = app.version();
    for (String[] attack : attacks) {
      HttpResponse<String> r = get("/products?category=" + category, attack[0], attack[1]);
      assertEquals(list, r.body(), attack[0]);
      assertEquals("HIT", header(r, "X-Cache"), attack[0]);
    }
    assertEquals(before, app.version(), "no header turned a read into a write");
  }

  @Test
  void absoluteFormRequests_useThePathOfTheirOwnTarget() throws Exception {
    String category = unique();
    RawHttp.Response r = RawHttp.exchange(server(), RawHttp.latin1("GET http://127.0.0.1:" + server().getPort()
        + "/products?category=" + category + " HTTP/1.1\r\nHost: 127.0.0.1:" + server().getPort()
        + "\r\nConnection: close\r\n\r\n"));
    assertTrue(r.status() < 500, "status " + r.status());
    if (r.status() == 200) {
      assertTrue(r.text().contains(ConformanceApp.hex("category=" + category)) || r.text().contains(category), r.text());
    }
  }

  @Test
  void duplicateAndCloakedParameters_getTheirOwnAnswers() throws Exception {
    String c = unique();
    String[] targets = {"/products?category=" + c + "a&category=" + c + "b", "/products?category=" + c + "b&category=" + c
        + "a", "/products?category=" + c + "a;category=" + c + "b", "/products?category=" + c + "a%26category=" + c + "b"};
    for (int round = 0; round < 2; round++) {
      for (String t : targets) {
        HttpResponse<String> r = get(t);
        String query = t.substring(t.indexOf('?') + 1);
        assertTrue(r.body().contains("\"query\":\"" + query + "\""), t + " answered " + r.body());
      }
    }
  }

  // ---------------------------------------------------------------------------------- limits

  @Test
  void writeBodies_areNeverRefusedByTheCache() throws Exception {
    for (int size : new int[] {2 << 20, 9 << 20}) {
      byte[] body = new byte[size];
      new Random(size).nextBytes(body);
      String expected = "{\"received\":" + size + ",\"hash\":" + Arrays.hashCode(body) + "}";
      HttpResponse<String> fixed = send(HttpRequest.newBuilder(uri("/upload"))
          .PUT(HttpRequest.BodyPublishers.ofByteArray(body)));
      assertEquals(200, fixed.statusCode(), size + " bytes with Content-Length");
      assertEquals(expected, fixed.body());
      HttpResponse<String> chunked = send(HttpRequest.newBuilder(uri("/upload"))
          .PUT(HttpRequest.BodyPublishers.ofInputStream(() -> new ByteArrayInputStream(body))));
      assertEquals(200, chunked.statusCode(), size + " bytes chunked");
      assertEquals(expected, chunked.body());
    }
  }

  @Test
  void responsesLargerThanAnyPolicyStores_passThroughWhole() throws Exception {
    int size = (65 << 20) + 1; // past the 64 MiB an origin call once held at most
    for (int i = 0; i < 2; i++) {
      HttpResponse<byte[]> r = http().send(HttpRequest.newBuilder(uri("/huge?size=" + size)).timeout(Duration.ofSeconds(60))
          .build(), HttpResponse.BodyHandlers.ofByteArray());
      assertEquals(200, r.statusCode());
      assertEquals(size, r.body().length);
      assertEquals('a' + (size - 1) % 26, r.body()[size - 1]);
      assertEquals("MISS", header(r, "X-Cache"));
    }
  }

  @Test
  void longQueriesAndHeaders_getTheServersOwnAnswerNeverAServerError() throws Exception {
    String[] requests = {
        "GET /products?category=" + "q".repeat(1 << 20) + " HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
        "GET /products?category=h HTTP/1.1\r\nHost: x\r\nX-Big: " + "h".repeat(100 * 1024) + "\r\nConnection: close\r\n\r\n",
        "GET /config HTTP/1.1\r\nHost: x\r\nX-Tenant-Id: a\u0000b\r\nConnection: close\r\n\r\n",
        "GET /config HTTP/1.1\r\nHost: x\r\nX-Tenant-Id: a\rb\r\nConnection: close\r\n\r\n",
        "GET /products?category=e HTTP/1.1\r\nHost: x\r\n: B\r\nConnection: close\r\n\r\n"};
    for (String request : requests) {
      int status;
      try {
        status = RawHttp.exchange(server(), RawHttp.latin1(request)).status();
      } catch (IOException closedByTheServer) {
        continue; // refusing the connection is the server's own answer
      }
      assertTrue(status < 500, request.substring(0, 40) + " -> " + status);
    }
  }

  // ---------------------------------------------------------------------------------- framing

  @Test
  void notModified_carriesNoContentLengthButThe200s_andHeadKeepsIt() throws Exception {
    String target = "/items/" + (2_000_000 + (int) (Math.random() * 1_000_000));
    RawHttp.Response full = RawHttp.exchange(server(), RawHttp.latin1("GET " + target + " HTTP/1.1\r\nHost: x\r\n"
        + "Connection: close\r\n\r\n"));
    String etag = full.header("ETag").orElseThrow();
    String length = Integer.toString(full.body().length);
    for (int i = 0; i < 2; i++) { // right after the miss, and on a hit
      RawHttp.Response notModified = RawHttp.exchange(server(), RawHttp.latin1("GET " + target + " HTTP/1.1\r\nHost: x\r\n"
          + "If-None-Match: " + etag + "\r\nConnection: close\r\n\r\n"));
      assertEquals(304, notModified.status());
      for (String value : notModified.headers("Content-Length")) {
        assertEquals(length, value, "a 304 may carry only the 200's own Content-Length (RFC 9110 §8.6)");
      }
    }
    RawHttp.Response head = RawHttp.exchange(server(), RawHttp.latin1("HEAD " + target + " HTTP/1.1\r\nHost: x\r\n"
        + "Connection: close\r\n\r\n"), true);
    assertEquals(length, head.header("Content-Length").orElse(""), "HEAD keeps the 200's length");
  }

  @Test
  void smuggledRequests_neverReceiveAnotherRequestsAnswer() throws Exception {
    String category = unique();
    String smuggled = "GET /products?category=" + category + " HTTP/1.1\r\nHost: x\r\nContent-Length: 44\r\n"
        + "Transfer-Encoding: chunked\r\n\r\n0\r\n\r\nGET /config HTTP/1.1\r\nHost: x\r\nX: y\r\n\r\n";
    try (Socket socket = new Socket(server().getHost(), server().getPort())) {
      socket.setSoTimeout(10_000);
      socket.getOutputStream().write(RawHttp.latin1(smuggled));
      socket.getOutputStream().flush();
      InputStream in = new BufferedInputStream(socket.getInputStream());
      RawHttp.Response first = RawHttp.read(in, false);
      assertTrue(first.status() < 500, "status " + first.status());
      if (first.status() == 200) {
        assertTrue(first.text().contains(category), first.text());
      }
    } catch (IOException closed) {
      // the server refused the framing: fine
    }
    HttpResponse<String> after = get("/products?category=" + category + "-after");
    assertTrue(after.body().contains(category + "-after"), after.body());
  }

  @Test
  void aSlowClient_blocksNobodyElse() throws Exception {
    try (Socket slow = new Socket(server().getHost(), server().getPort())) {
      OutputStream out = slow.getOutputStream();
      out.write(RawHttp.latin1("GET /products?category=slow HTTP/1.1\r\nHost: x\r\nX-A: "));
      out.flush();
      CompletableFuture<HttpResponse<String>> other = http().sendAsync(HttpRequest.newBuilder(
          uri("/products?category=" + unique())).timeout(Duration.ofSeconds(20)).build(), HttpResponse.BodyHandlers.ofString());
      assertEquals(200, other.get(20, TimeUnit.SECONDS).statusCode());
    }
  }

  @Test
  void aCacheBustingFlood_isServedCorrectly() throws Exception {
    String run = unique();
    List<CompletableFuture<HttpResponse<String>>> all = new ArrayList<>();
    for (int i = 0; i < 300; i++) {
      all.add(http().sendAsync(HttpRequest.newBuilder(uri("/products?category=" + run + i)).timeout(Duration.ofSeconds(30))
          .build(), HttpResponse.BodyHandlers.ofString()));
    }
    for (int i = 0; i < all.size(); i++) {
      HttpResponse<String> r = all.get(i).get(60, TimeUnit.SECONDS);
      assertEquals(200, r.statusCode());
      assertTrue(r.body().contains("category=" + run + i + "\""), r.body());
    }
  }

  // ---------------------------------------------------------------------------------- access control

  @Test
  void aCachedResponse_neverSkipsTheFrameworksAccessControl() throws Exception {
    assumeTrue(runsBehindTheApplicationsAccessControl(), "this cache runs in front of the access control");
    HttpResponse<String> allowed = get("/guarded", "Cookie", "session=ok");
    assertEquals(200, allowed.statusCode());
    assertEquals("HIT", header(get("/guarded", "Cookie", "session=ok"), "X-Cache"));
    for (String[] denied : new String[][] {{}, {"Cookie", "session=forged"}, {"Authorization", "Bearer x"}}) {
      HttpResponse<String> r = get("/guarded", denied);
      assertEquals(403, r.statusCode(), "credentials " + List.of(denied));
      assertFalse(r.body().contains("\"guarded\":"), r.body());
    }
  }

  // ---------------------------------------------------------------------------------- helpers

  private static byte[] bytes(String latin1) {
    return latin1.getBytes(StandardCharsets.ISO_8859_1);
  }

  private static byte[] concat(byte[] a, byte[] b) {
    byte[] out = new byte[a.length + b.length];
    System.arraycopy(a, 0, out, 0, a.length);
    System.arraycopy(b, 0, out, a.length, b.length);
    return out;
  }
}
