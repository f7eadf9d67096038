package dev.apicache.testing;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.apicache.CacheEngine;
import dev.apicache.CachePolicies;
import dev.apicache.CachePolicy;
import dev.apicache.CacheRequest;
import dev.apicache.CacheResponse;
import dev.apicache.Origin;
import dev.apicache.http.HeaderNames;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

/**
 * A soft purge on one node, seen by another that shares the store: the other node serves the old
 * copy stale (never as a hit) and one revalidation refreshes it for both. For every shared store.
 */
public final class SoftPurgeAcrossNodes {
  private SoftPurgeAcrossNodes() {}

  /** The policies both engines must be built with: one route with a stale-while-revalidate window. */
  public static CachePolicies policies() {
    return CachePolicies.builder()
        .add(CachePolicy.forRoute("/api/items/{id}").ttl(Duration.ofMinutes(5))
            .staleWhileRevalidate(Duration.ofMinutes(5)).build())
        .build();
  }

  /**
   * Runs the check for item {@code id} (unique per call). {@code atOnce}: the other node must see the
   * purge on its very next request (a store without near copies); otherwise within a bounded wait
   * (near copies dropped through an invalidation bus).
   */
  public static void check(CacheEngine purging, CacheEngine other, String id, boolean atOnce) {
    String target = "/api/items/" + id;
    AtomicReference<String> data = new AtomicReference<>("v1");
    AtomicInteger calls = new AtomicInteger();
    Origin origin = r -> {
      calls.incrementAndGet();
      return CacheResponse.builder(200).body(data.get()).build();
    };
    assertEquals("v1", purging.handle(CacheRequest.get(target), origin).body().utf8());
    assertEquals("HIT", xCache(other.handle(CacheRequest.get(target), origin)), "the nodes share the entry");

    data.set("v2");
    assertTrue(purging.softPurge(target));
    if (atOnce) {
      CacheResponse next = other.handle(CacheRequest.get(target), origin);
      assertEquals("STALE", xCache(next), "the other node's next request sees the soft purge");
      assertEquals("v1", next.body().utf8());
    } else {
      await("() -> !\"HIT\".equals(xCache(other.handle(CacheRequest.get(target), origin)))")
          .atMost(Duration.ofSeconds(60)).pollDelay(Duration.ZERO).pollInterval(Duration.ofMillis(1))
          .until(() -> !"HIT".equals(xCache(other.handle(CacheRequest.get(target), origin))));
    }
    await("() -> { CacheResponse r = other.handle(CacheRequest.get(target), origin); if (\"HIT\".equ...")
        .atMost(Duration.ofSeconds(30)).pollDelay(Duration.ZERO).pollInterval(Duration.ofMillis(5))
        .until(() -> {
          CacheResponse r = other.handle(CacheRequest.get(target), origin);
          if ("HIT".equals(xCache(r))) {
            assertEquals("v2", r.body().utf8(), "a hit after the purge carries the refreshed body");
            return true;
          }
          assertNotEquals("MISS", xCache(r), "the stale copy is served while it refreshes");
          return false;
        });
    CacheResponse onPurgingNode = purging.handle(CacheRequest.get(target), origin);
    assertEquals("HIT", xCache(onPurgingNode));
    assertEquals("v2", onPurgingNode.body().utf8());
    assertEquals(2, calls.get(), "one fill and one revalidation, for both nodes");
  }

  private static String xCache(CacheResponse r) {
    return r.headers().first(HeaderNames.X_CACHE).orElse("");
  }
}
