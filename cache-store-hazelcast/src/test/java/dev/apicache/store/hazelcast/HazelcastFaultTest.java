package dev.apicache.store.hazelcast;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.hazelcast.core.HazelcastInstance;
import dev.apicache.CacheEngine;
import dev.apicache.CachePolicies;
import dev.apicache.CachePolicy;
import dev.apicache.CacheRequest;
import dev.apicache.CacheResponse;
import dev.apicache.HeaderNames;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** A client whose cluster is gone: every request is still served by the origin within the store timeout. */
class HazelcastFaultTest {
  @Test
  void clusterGoneUnderAClient_failsOpenWithinTheStoreTimeout() {
    String cluster = HazelcastTesting.newClusterName();
    HazelcastInstance member = HazelcastTesting.member(cluster);
    HazelcastInstance client = HazelcastTesting.client(cluster, member);
    CacheEngine engine = CacheEngine.builder(CachePolicies.builder()
            .add(CachePolicy.forRoute("/api/items/{id}").ttl(Duration.ofMinutes(1)).build()).build(),
        HazelcastStore.create(client)).storeTimeout(Duration.ofMillis(200)).build();
    try {
      engine.handle(CacheRequest.get("/api/items/1"), r -> CacheResponse.builder(200).body("x").build());
      assertEquals("HIT", engine.handle(CacheRequest.get("/api/items/1"), r -> CacheResponse.builder(200).body("y")
          .build()).headers().first(HeaderNames.X_CACHE).orElseThrow());
      member.getLifecycleService().terminate();
      for (int i = 0; i < 20; i++) {
        CacheResponse r = assertTimeoutPreemptively(Duration.ofSeconds(5),
            () -> engine.handle(CacheRequest.get("/api/items/1"), req -> CacheResponse.builder(200).body("origin").build()));
        assertEquals(200, r.status());
        assertEquals("origin", r.body().utf8());
      }
      assertTrue(engine.stats().total().storeErrors() > 0);
    } finally {
      engine.close();
      client.shutdown();
    }
  }
}
