package dev.apicache.store.caffeine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.apicache.CacheEngine;
import dev.apicache.CachePolicies;
import dev.apicache.CachePolicy;
import dev.apicache.CacheRequest;
import dev.apicache.CacheResponse;
import dev.apicache.PolicyConfigException;
import dev.apicache.PolicyFile;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * A user who configures in code gets no Jackson from {@code apicache-core}: this module's class
 * path has only what core and Caffeine bring, so it shows both what works and what the policy
 * file says without Jackson.
 */
class CoreWithoutJacksonTest {
  @Test
  void jacksonIsNotOnTheClassPathOfACoreUser() {
    assertThrows(ClassNotFoundException.class, () -> Class.forName("com.fasterxml.jackson.databind.ObjectMapper"));
  }

  @Test
  void policiesBuiltInCode_serveWithoutJackson() {
    CachePolicies policies = CachePolicies.builder()
        .add(CachePolicy.forRoute("/api/config").ttl(Duration.ofMinutes(1)).build()).build();
    try (CacheEngine engine = CacheEngine.builder(policies, CaffeineStore.builder().build()).build()) {
      engine.handle(CacheRequest.get("/api/config"), r -> CacheResponse.builder(200).body("{}").build());
      CacheResponse hit = engine.handle(CacheRequest.get("/api/config"), r -> {
        throw new AssertionError("served from the cache");
      });
      assertEquals("HIT", hit.headers().first("X-Cache").orElseThrow());
    }
  }

  @Test
  void thePolicyFile_saysWhatItNeeds() {
    PolicyConfigException e = assertThrows(PolicyConfigException.class,
        () -> PolicyFile.parse("policies: []", "policies.yaml", Map.of()));
    assertTrue(e.getMessage().contains("jackson-dataformat-yaml"), e.getMessage());
    assertEquals(Duration.ofSeconds(90), PolicyFile.parseDuration("90s"), "durations parse without Jackson");
  }
}
