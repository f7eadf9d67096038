package dev.apicache;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class CachePoliciesTest {
  private static CachePolicy policy(String route) {
    return CachePolicy.forRoute(route).ttl(Duration.ofSeconds(60)).build();
  }

  private static String matched(CachePolicies policies, String method, String path) {
    return policies.match(method, path).map(CachePolicy::id).orElse("none");
  }

  @Test
  void exactTemplateAndPrefixRoutes_matchWhatTheySay() {
    CachePolicies p = CachePolicies.builder()
        .add(policy("/api/config"))
        .add(policy("/api/products/{id}"))
        .add(policy("/api/categories/**"))
        .build();
    assertEquals("/api/config", matched(p, "GET", "/api/config"));
    assertEquals("none", matched(p, "GET", "/api/config/x"));
    assertEquals("/api/products/{id}", matched(p, "GET", "/api/products/42"));
    assertEquals("none", matched(p, "GET", "/api/products/42/reviews"));
    assertEquals("/api/categories/**", matched(p, "GET", "/api/categories"));
    assertEquals("/api/categories/**", matched(p, "GET", "/api/categories/a/b/c"));
  }

  @Test
  void prefixRoute_matchesOnlyOnASegmentBoundary() {
    CachePolicies p = CachePolicies.builder().add(policy("/api/products/**")).build();
    assertEquals("none", matched(p, "GET", "/api/productsX"));
    assertEquals("none", matched(p, "GET", "/api/products-old/1"));
    assertEquals("/api/products/**", matched(p, "GET", "/api/products/1"));
  }

  @Test
  void mostSpecificRouteWins_whateverTheListingOrder() {
    List<CachePolicy> all = List.of(policy("/api/**"), policy("/api/products/**"), policy("/api/products/{id}"),
        policy("/api/products/featured"), policy("/api/{kind}/latest"));
    for (List<CachePolicy> order : List.of(all, reversed(all))) {
      CachePolicies p = CachePolicies.builder().addAll(order).build();
      assertEquals("/api/products/featured", matched(p, "GET", "/api/products/featured"));
      assertEquals("/api/products/{id}", matched(p, "GET", "/api/products/42"));
      assertEquals("/api/products/{id}", matched(p, "GET", "/api/products/latest"));
      assertEquals("/api/{kind}/latest", matched(p, "GET", "/api/orders/latest"));
      assertEquals("/api/products/**", matched(p, "GET", "/api/products/42/reviews"));
      assertEquals("/api/**", matched(p, "GET", "/api/orders"));
    }
  }

  private static <T> List<T> reversed(List<T> list) {
    List<T> copy = new java.util.ArrayList<>(list);
    java.util.Collections.reverse(copy);
    return copy;
  }

  @Test
  void methodsDefaultToGet_andHeadIsServedWithGet() {
    CachePolicies p = CachePolicies.builder().add(policy("/api/config")).build();
    assertEquals("/api/config", matched(p, "HEAD", "/api/config"));
    assertEquals("none", matched(p, "POST", "/api/config"));
    assertEquals("none", matched(p, "OPTIONS", "/api/config"));
  }

  @Test
  void duplicateRoutes_areRefusedWithBothNames() {
    PolicyConfigException e = assertThrows(PolicyConfigException.class,
        () -> CachePolicies.builder().add(policy("/api/products/{id}")).add(policy("/api/products/{sku}")).build());
    assertTrue(e.getMessage().contains("/api/products/{id}") && e.getMessage().contains("/api/products/{sku}"),
        e.getMessage());
  }

  @Test
  void unregisteredKeyFunction_isRefused() {
    CachePolicy p = CachePolicy.forRoute("/api/config").ttl(Duration.ofSeconds(1)).varyBy("key:tenant").build();
    PolicyConfigException e = assertThrows(PolicyConfigException.class, () -> CachePolicies.builder().add(p).build());
    assertTrue(e.getMessage().contains("key:tenant"), e.getMessage());
    CachePolicies ok = CachePolicies.builder().add(p).keyFunction("tenant", r -> Optional.of("t")).build();
    assertEquals(1, ok.policies().size());
  }

  @Test
  void builderRefusesNonsense_namingFieldValueAndRoute() {
    PolicyConfigException ttl = assertThrows(PolicyConfigException.class,
        () -> CachePolicy.forRoute("/api/products").ttl(Duration.ofSeconds(-5)));
    assertEquals("ttl must be >= 0 but was PT-5S (policy /api/products)", ttl.getMessage());
    assertThrows(PolicyConfigException.class, () -> CachePolicy.forRoute("api/x").ttl(Duration.ZERO).build());
    assertThrows(PolicyConfigException.class, () -> CachePolicy.forRoute("/a//b").build());
    assertThrows(PolicyConfigException.class, () -> CachePolicy.forRoute("/a/**/b").build());
    assertThrows(PolicyConfigException.class, () -> CachePolicy.forRoute("/a/x{id}").build());
    assertThrows(PolicyConfigException.class, () -> CachePolicy.forRoute("/a/{id}/{id}").build());
    assertThrows(PolicyConfigException.class, () -> CachePolicy.forRoute("/a").methods(List.of("POST")));
    assertThrows(PolicyConfigException.class, () -> CachePolicy.forRoute("/a").varyBy("page", "page"));
    assertThrows(PolicyConfigException.class, () -> CachePolicy.forRoute("/a").varyBy("cookie:session"));
    PolicyConfigException tag = assertThrows(PolicyConfigException.class,
        () -> CachePolicy.forRoute("/a/{id}").tags("product:{sku}").build());
    assertTrue(tag.getMessage().contains("{sku}"), tag.getMessage());
    assertThrows(PolicyConfigException.class, () -> CachePolicy.forRoute("/a").clientCacheControl("max-age=1\r\nX: y"));
  }

  @Test
  void writeRules_acceptOnlyUnsafeMethodsAndNeedEvents() {
    assertThrows(PolicyConfigException.class, () -> WriteRule.of("/a", List.of("GET"), List.of("e")));
    assertThrows(PolicyConfigException.class, () -> WriteRule.of("/a", List.of("POST"), List.of()));
    assertEquals(4, WriteRule.of("/a", List.of(), List.of("e")).methods().size());
  }
}
