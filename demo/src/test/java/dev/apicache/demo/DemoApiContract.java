package dev.apicache.demo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/** The demo API's behaviour, the same on every framework. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class DemoApiContract {
  abstract DemoApi.Framework framework();

  private static final String ADMIN_TOKEN = "a-demo-admin-token-for-tests";
  private DemoApi api;
  private SqlFixture database;
  private final HttpClient http = HttpClient.newHttpClient();

  @BeforeAll
  void start() {
    database = SqlFixture.start(100);
    api = DemoApi.start(framework(), "127.0.0.1", 0, DemoApi.policies(Optional.empty()), database.catalog,
        dev.apicache.store.caffeine.CaffeineStore.builder().build(), Optional.of(ADMIN_TOKEN));
  }

  @AfterAll
  void stop() {
    api.close();
    database.close();
  }

  private HttpResponse<String> send(String method, String target, String body, String... headers) throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + api.port() + target))
        .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
    for (int i = 0; i < headers.length; i += 2) {
      b.header(headers[i], headers[i + 1]);
    }
    return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  private static String xCache(HttpResponse<?> r) {
    return r.headers().firstValue("X-Cache").orElse("");
  }

  /** What a node tells the multi-node scenario is for the admin token only, and never cached. */
  @Test
  void theNodesCounts_needTheAdminToken() throws Exception {
    assertEquals(401, send("GET", ProductApi.NODE_PATH, null).statusCode());
    assertEquals(401, send("GET", ProductApi.NODE_PATH, null, "Authorization", "Bearer not-the-token-at-all").statusCode());
    send("GET", "/api/products/9", null);
    HttpResponse<String> r = send("GET", ProductApi.NODE_PATH + "?reads", null, "Authorization", "Bearer " + ADMIN_TOKEN);
    assertEquals(200, r.statusCode());
    com.fasterxml.jackson.databind.JsonNode node = DemoApi.JSON.readTree(r.body());
    assertTrue(node.path("queries").asLong() >= 1, r.body());
    assertTrue(node.path("readOnce").toString().contains("product 9"), r.body());
    assertTrue(xCache(r).isEmpty() || xCache(r).equals("BYPASS"), "the node's own counts are never cached: " + xCache(r));
  }

  /** The database refuses a NUL in text: the demo answers such input 400, before it reaches the database. */
  @Test
  void aNulInTextTheDatabaseStores_isA400_neverA500() throws Exception {
    HttpResponse<String> list = send("GET", "/api/products?category=books%00", null);
    assertEquals(400, list.statusCode(), list.body());
    HttpResponse<String> put = send("PUT", "/api/products/4", "{\"name\":\"N\\u0000\",\"category\":\"books\",\"price\":1}");
    assertEquals(400, put.statusCode(), put.body());
    assertEquals(200, send("GET", "/api/products?category=books", null).statusCode());
  }

  @Test
  void productPages_areCachedAndDroppedByTheirOwnWrite() throws Exception {
    assertEquals("MISS", xCache(send("GET", "/api/products/5", null)));
    assertEquals("HIT", xCache(send("GET", "/api/products/5", null)));
    assertEquals("MISS", xCache(send("GET", "/api/products/6", null)));
    HttpResponse<String> put = send("PUT", "/api/products/5", "{\"name\":\"N\",\"category\":\"books\",\"price\":12.5}");
    assertEquals(200, put.statusCode());
    HttpResponse<String> after = send("GET", "/api/products/5", null);
    assertEquals("MISS", xCache(after));
    assertTrue(after.body().contains("12.5"));
    assertEquals("HIT", xCache(send("GET", "/api/products/6", null)), "other products keep their entries");
  }

  @Test
  void productIdAliases_shareOneEntry_andAWriteToOneDropsThemAll() throws Exception {
    for (String alias : new String[] {"/api/products/12", "/api/products/012", "/api/products/+12", "/api/products/0012"}) {
      send("GET", alias, null);
    }
    assertEquals("HIT", xCache(send("GET", "/api/products/012", null)));
    assertEquals(200, send("PUT", "/api/products/12", "{\"name\":\"N\",\"category\":\"books\",\"price\":77.5}")
        .statusCode());
    for (String alias : new String[] {"/api/products/12", "/api/products/012", "/api/products/+12", "/api/products/0012"}) {
      assertTrue(send("GET", alias, null).body().contains("77.5"), alias + " after the write");
    }
    send("GET", "/api/products/009", null);
    assertEquals(204, send("DELETE", "/api/products/9", null).statusCode());
    assertEquals(404, send("GET", "/api/products/009", null).statusCode(), "no alias outlives the delete");
  }

  @Test
  void createdProduct_answers201WithLocationAndRefreshesLists() throws Exception {
    send("GET", "/api/products?category=garden", null);
    HttpResponse<String> created = send("POST", "/api/products", "{\"name\":\"Rake\",\"category\":\"garden\",\"price\":9.5}");
    assertEquals(201, created.statusCode());
    JsonNode product = DemoApi.JSON.readTree(created.body());
    assertEquals("/api/products/" + product.get("id").asInt(), created.headers().firstValue("Location").orElseThrow());
    assertEquals("MISS", xCache(send("GET", "/api/products?category=garden", null)));
  }

  @Test
  void badProductBodies_areRefusedWith400() throws Exception {
    assertEquals(400, send("POST", "/api/products", "not json").statusCode());
    assertEquals(400, send("POST", "/api/products", "{\"name\":1}").statusCode());
    assertEquals(400, send("PUT", "/api/products/abc", "{}").statusCode());
    assertEquals(404, send("DELETE", "/api/products/99999", null).statusCode());
  }

  @Test
  void configVariesByTenantAndProfileIsNeverCached() throws Exception {
    HttpResponse<String> a = send("GET", "/api/config", null, "X-Tenant-Id", "acme");
    HttpResponse<String> b = send("GET", "/api/config", null, "X-Tenant-Id", "globex");
    assertTrue(a.body().contains("acme") && b.body().contains("globex"));
    assertEquals("HIT", xCache(send("GET", "/api/config", null, "X-Tenant-Id", "acme")));
    assertEquals("BYPASS", xCache(send("GET", "/api/user/profile", null, "X-User", "u1")));
    assertEquals("BYPASS", xCache(send("GET", "/api/user/profile", null, "X-User", "u1")));
  }

  @Test
  void theAdminApi_servesStatsWithTheSeedNames_forItsTokenOnly() throws Exception {
    send("GET", "/api/categories", null);
    send("GET", "/api/categories", null);
    assertEquals(401, send("GET", "/_cache/stats", null).statusCode(), "the counters are not for anyone");
    HttpResponse<String> r = send("GET", "/_cache/stats", null, "Authorization", "Bearer " + ADMIN_TOKEN);
    assertEquals(200, r.statusCode());
    JsonNode stats = DemoApi.JSON.readTree(r.body());
    for (String name : new String[] {"hits", "misses", "staleHits", "conditionalHits", "invalidations", "hitRate",
        "bypasses", "originCalls", "revalidations", "storeErrors", "bytesSavedByNotModified"}) {
      assertTrue(stats.get("total").has(name), name);
    }
    JsonNode categories = stats.get("policies").get("/api/categories");
    assertTrue(categories.get("hits").asLong() >= 1);
    assertTrue(categories.get("misses").asLong() >= 1);

    assertEquals("HIT", xCache(send("GET", "/api/categories", null)));
    HttpResponse<String> purged = send("POST", "/_cache/soft-purge?url=/api/categories", null,
        "Authorization", "Bearer " + ADMIN_TOKEN);
    assertEquals(200, purged.statusCode(), purged.body());
    assertEquals("STALE", xCache(send("GET", "/api/categories", null)), "soft-purged through the admin API");
  }

}
