package dev.apicache.demo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.apicache.Bytes;
import dev.apicache.CacheRequest;
import org.junit.jupiter.api.Test;

/**
 * What the demo keeps per client-chosen value is bounded, and input its database cannot take is a
 * 400, never a 500.
 */
class ProductApiTest {
  private final MemoryCatalog catalog = new MemoryCatalog(10);
  private final ProductApi api = new ProductApi(catalog);

  @Test
  void everNewTenants_growWhatTheDemoNotesOnlyToItsBound() {
    for (int i = 0; i < CountingCatalog.MAX_NOTED + 5_000; i++) {
      assertEquals(200, api.handle(CacheRequest.builder("GET", "/api/config").header("X-Tenant-Id", "t" + i).build())
          .status());
    }
    assertEquals(CountingCatalog.MAX_NOTED, catalog.readOnce().size());
    assertEquals(CountingCatalog.MAX_NOTED + 5_000, catalog.queries(), "every read is still counted");
  }

  @Test
  void everNewUsers_keepAtMostTheBoundOfVisitCounts() {
    for (int i = 0; i < ProductApi.MAX_USERS + 2_000; i++) {
      api.handle(CacheRequest.builder("GET", "/api/user/profile").header("X-User", "u" + i).build());
    }
    assertTrue(api.usersTracked() <= ProductApi.MAX_USERS, "users kept: " + api.usersTracked());
  }

  @Test
  void controlCharactersInTextTheDatabaseStores_areA400() {
    assertEquals(400, api.handle(CacheRequest.get("/api/products?category=books%00")).status());
    assertEquals(400, api.handle(CacheRequest.get("/api/products?category=b%01")).status());
    assertEquals(200, api.handle(CacheRequest.get("/api/products?category=books")).status());
    assertEquals(400, api.handle(CacheRequest.builder("GET", "/api/config").header("X-Tenant-Id", "t\u0001").build())
        .status());
    for (String body : new String[] {"{\"name\":\"a\\u0000b\",\"category\":\"books\",\"price\":1}",
        "{\"name\":\"ok\",\"category\":\"bo\\u0000oks\",\"price\":1}"}) {
      assertEquals(400, api.handle(CacheRequest.builder("PUT", "/api/products/3").body(Bytes.utf8(body)).build())
          .status(), body);
      assertEquals(400, api.handle(CacheRequest.builder("POST", "/api/products").body(Bytes.utf8(body)).build())
          .status(), body);
    }
  }
}
