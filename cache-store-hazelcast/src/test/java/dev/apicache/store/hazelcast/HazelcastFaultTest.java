package dev.apicache.store.hazelcast;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.hazelcast.core.HazelcastInstance;
import dev.apicache.CacheEngine;
import dev.apicache.CachePolicies;
import dev.apicache.CachePolicy;
import dev.apicache.CacheRequest;
import dev.apicache.CacheResponse;
import dev.apicache.http.HeaderNames;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * A client whose cluster is gone: every request is still served by the origin within the store timeout.
 *
 * <p>While the cluster is up, the store timeout is generous and the first hit is awaited by polling:
 * a client's first operations can take longer than any short timeout on a loaded machine, and a
 * slow first put is not what this test is about.
 */
class HazelcastFaultTest {
  @Test
  void clusterGoneUnderAClient_failsOpenWithinTheStoreTimeout() {
    String cluster = HazelcastTesting.newClusterName();
    HazelcastInstance member = HazelcastTesting.member(cluster);
    HazelcastInstance client = HazelcastTesting.client(cluster, member);
    CacheEngine engine = CacheEngine.builder(CachePolicies.builder()
            .add(CachePolicy.forRoute("/api/items/{id}").ttl(Duration.ofMinutes(1)).build()).build(),
        HazelcastStore.create(client)).storeTimeout(Duration.ofSeconds(1)).build();
    try {
      await("() -> \"HIT\".equals( engine.handle(CacheRequest.get(\"/api/items/1\"), r -> CacheResponse....")
          .atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(50)).until(() -> "HIT".equals(
          engine.handle(CacheRequest.get("/api/items/1"), r -> CacheResponse.builder(200).body("x").build())
              .headers().first(HeaderNames.X_CACHE).orElseThrow()));
      member.getLifecycleService().terminate();
      for (int i = 0; i < 20; i++) {
        // the store timeout (1 s) bounds each call; the circuit breaker then skips the store
        CacheResponse r = assertTimeoutPreemptively(Duration.ofSeconds(30),
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
