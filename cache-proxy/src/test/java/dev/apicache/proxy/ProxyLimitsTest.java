package dev.apicache.proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.apicache.CacheEngine;
import dev.apicache.CachePolicies;
import dev.apicache.CachePolicy;
import dev.apicache.adapter.testkit.RawHttp;
import dev.apicache.proxy.TestUpstream.Reply;
import dev.apicache.store.caffeine.CaffeineStore;
import java.io.ByteArrayOutputStream;
import java.net.ServerSocket;
import java.net.URI;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * What the proxy does at its edges: the admin endpoint, a guarded upstream, field bytes it cannot
 * forward, an upstream that is down or slow, and upstream URIs it refuses.
 */
class ProxyLimitsTest extends ProxyHarness {
  @Override
  CachePolicies policies() {
    return CachePolicies.builder()
        .add(CachePolicy.forRoute("/catalog/{id}").ttl(Duration.ofMinutes(5)).invalidateOn("catalog.changed")
            .tags("item:{id}").build())
        .add(CachePolicy.forRoute("/**").originDirected(Duration.ZERO, Duration.ofDays(1)).varyBy("query:*").build())
        .build();
  }

  @Test
  void theAdminEndpoint_invalidatesEventsAndTags_onlyWithTheToken() throws Exception {
    String id = unique("i");
    AtomicInteger version = new AtomicInteger();
    upstream.on("/catalog/" + id, r -> Reply.of(200, "v" + version.incrementAndGet()));
    get("/catalog/" + id);
    assertEquals("HIT", xCache(get("/catalog/" + id)));

    RawHttp.Response anonymous = send("POST", "/_apicache/invalidate?event=catalog.changed", null);
    assertEquals(401, anonymous.status());
    assertTrue(anonymous.header("WWW-Authenticate").orElseThrow().startsWith("Bearer"));
    assertEquals(401, send("POST", "/_apicache/invalidate?event=catalog.changed", null,
        "Authorization", "Bearer wrong-token-wrong-token").status());
    assertEquals("HIT", xCache(get("/catalog/" + id)));

    RawHttp.Response done = send("POST", "/_apicache/invalidate?event=catalog.changed", null,
        "Authorization", "Bearer " + ADMIN_TOKEN);
    assertEquals(200, done.status(), done.text());
    assertEquals("{\"events\":1,\"policies\":1,\"tags\":0}\n", done.text());
    assertEquals("v2", get("/catalog/" + id).text());

    assertEquals(200, send("POST", "/_apicache/invalidate?tag=item:" + id, null,
        "Authorization", "Bearer " + ADMIN_TOKEN).status());
    assertEquals("v3", get("/catalog/" + id).text());
    assertEquals(400, send("POST", "/_apicache/invalidate", null, "Authorization", "Bearer " + ADMIN_TOKEN).status());
    assertEquals(405, send("GET", "/_apicache/invalidate?tag=x", null, "Authorization", "Bearer " + ADMIN_TOKEN)
        .status());
    RawHttp.Response stats = send("GET", "/_apicache/stats", null, "Authorization", "Bearer " + ADMIN_TOKEN);
    assertEquals(200, stats.status());
    assertTrue(stats.text().contains("\"/catalog/{id}\":{\"hits\":"), stats.text());
    assertEquals(0, upstream.count("/_apicache/invalidate"), "the admin path never reaches the upstream");
  }

  @Test
  void theAdminEndpoint_purgesAUrlWithEveryQuery_onlyWithTheToken() throws Exception {
    String path = unique("/purged");
    AtomicInteger version = new AtomicInteger();
    upstream.on(path, r -> Reply.of(200, "v" + version.incrementAndGet(), "Date", now(), "Cache-Control",
        "max-age=600"));
    get(path + "?a=1");
    get(path + "?a=2");
    assertEquals(401, send("POST", "/_apicache/purge?url=" + path, null).status());
    assertEquals("HIT", xCache(get(path + "?a=1")));
    RawHttp.Response purged = send("POST", "/_apicache/purge?url=" + path + "&url=/not-a-route-here", null,
        "Authorization", "Bearer " + ADMIN_TOKEN);
    assertEquals(200, purged.status(), purged.text());
    assertEquals("{\"urls\":2,\"cached\":2,\"policies\":0,\"soft\":false}\n", purged.text(), "the /** policy covers every path");
    assertEquals("MISS", xCache(get(path + "?a=1")));
    assertEquals("MISS", xCache(get(path + "?a=2")));
    assertEquals(400, send("POST", "/_apicache/purge", null, "Authorization", "Bearer " + ADMIN_TOKEN).status());
  }

  @Test
  void withoutAToken_theAdminPathIsTheUpstreamsOwn() throws Exception {
    try (CacheEngine other = CacheEngine.builder(ApiCacheProxy.originDirectedPolicies(),
        CaffeineStore.builder().build()).build();
        ApiCacheProxy open = ApiCacheProxy.builder(upstream.uri(), other).port(0).start()) {
      upstream.on("/_apicache/invalidate", r -> Reply.of(200, "the service's own"));
      assertEquals("the service's own", send(open.address(), "POST", "/_apicache/invalidate?event=x", null).text());
      assertEquals(1, upstream.count("/_apicache/invalidate"));
    }
  }

  @Test
  void aGuardedUpstream_thatMarksItsAnswersPrivate_isAskedForEveryClient() throws Exception {
    String path = unique("/guarded");
    upstream.on(path, r -> r.header("Cookie").orElse("").contains("session=ok")
        ? Reply.of(200, "secret", "Date", now(), "Cache-Control", "private, max-age=60")
        : Reply.of(403, "forbidden", "Date", now()));
    assertEquals("secret", get(path, "Cookie", "session=ok").text());
    assertEquals(403, get(path).status());
    assertEquals(2, upstream.count(path));
  }

  /** RFC 9110 §5.5 allows obs-text in field values; an upstream may depend on those bytes, so they go on as sent. */
  @Test
  void fieldBytesAboveAscii_areForwardedUnchangedBothWays() throws Exception {
    String path = unique("/bytes");
    upstream.on(path, r -> Reply.of(200, "v", "Cache-Control", "max-age=60", "X-Echo", r.header("X-Name").orElse("")));
    String catalog = "/catalog/" + unique("b");
    upstream.on(catalog, r -> Reply.of(200, "c", "X-Echo", r.header("X-Name").orElse("")));
    for (String route : new String[] {path, catalog}) {
      ByteArrayOutputStream request = new ByteArrayOutputStream();
      request.writeBytes(RawHttp.latin1("GET " + route + " HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Name: caf"));
      request.write(0xc3);
      request.write(0xa9);
      request.writeBytes(RawHttp.latin1("\r\nConnection: close\r\n\r\n"));
      RawHttp.Response r = RawHttp.exchange(proxy.address(), request.toByteArray());
      assertEquals(200, r.status(), route);
      assertEquals("caf\u00c3\u00a9", upstream.seen(route).get(0).header("X-Name").orElseThrow(),
          "the upstream got the client's two bytes, not U+FFFD");
      assertEquals("caf\u00c3\u00a9", r.header("X-Echo").orElseThrow(), "and the client the upstream's");
    }
  }

  @Test
  void anUnreachableUpstream_is502_andASlowOne504() throws Exception {
    int closedPort;
    try (ServerSocket s = new ServerSocket(0)) {
      closedPort = s.getLocalPort();
    }
    CountDownLatch never = new CountDownLatch(1);
    String slow = unique("/slow");
    upstream.on(slow, r -> {
      never.await(30, TimeUnit.SECONDS);
      return Reply.of(200, "late");
    });
    try (CacheEngine e = CacheEngine.builder(ApiCacheProxy.originDirectedPolicies(),
        CaffeineStore.builder().build()).build();
        ApiCacheProxy down = ApiCacheProxy.builder(URI.create("http://127.0.0.1:" + closedPort), e).port(0).start();
        ApiCacheProxy impatient = ApiCacheProxy.builder(upstream.uri(), e).port(0)
            .responseTimeout(Duration.ofMillis(300)).start()) {
      assertEquals(502, send(down.address(), "GET", "/anything", null).status());
      assertEquals(502, send(down.address(), "POST", "/anything", "x").status());
      RawHttp.Response cached = send(impatient.address(), "GET", slow, null);
      assertEquals(504, cached.status(), cached.text());
      assertEquals(504, send(impatient.address(), "DELETE", slow, null).status());
    } finally {
      never.countDown();
    }
  }

  @Test
  void badUpstreamURIs_getOneClearLine() {
    String[][] cases = {{"ftp://x:1", "must start with http:// or https://"}, {"http://", "is not a URI"},
        {"http://h:1/base", "scheme, host and port only"}, {"http://u:p@h:1", "credentials"},
        {"localhost:3000", "must start with http://"}};
    for (String[] c : cases) {
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
          () -> ApiCacheProxy.parseUpstream(c[0]), c[0]);
      assertTrue(e.getMessage().contains(c[1]), c[0] + ": " + e.getMessage());
      assertTrue(!e.getMessage().contains("\n"), e.getMessage());
    }
    assertEquals(URI.create("http://127.0.0.1:3000"), ApiCacheProxy.parseUpstream("http://127.0.0.1:3000/"));
  }
}
