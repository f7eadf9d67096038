package dev.apicache.store.hazelcast;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.hazelcast.core.HazelcastInstance;
import dev.apicache.CacheEngine;
import dev.apicache.CachePolicies;
import dev.apicache.CachePolicy;
import dev.apicache.CacheRequest;
import dev.apicache.CacheResponse;
import dev.apicache.Origin;
import dev.apicache.StoreException;
import dev.apicache.http.HeaderNames;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * A frozen member (SIGSTOP, as a long pause or a partition would freeze it) under a client: an
 * invalidation it cannot record is reported to its caller, never as a success, and stays pending;
 * once the member runs again no read gets the data from before it, and it is recorded without
 * anyone retrying it.
 */
class FrozenMemberTest {
  private static String xCache(CacheResponse r) {
    return r.headers().first(HeaderNames.X_CACHE).orElse("");
  }

  @Test
  void anInvalidationWhileTheMemberIsFrozen_isNotASuccess_andNoLaterReadGetsTheOldData() throws Exception {
    String cluster = HazelcastTesting.newClusterName();
    AtomicInteger database = new AtomicInteger(1);
    Origin origin = r -> CacheResponse.builder(200).body("v" + database.get()).build();
    try (HazelcastMemberProcess member = HazelcastMemberProcess.start(cluster)) {
      HazelcastInstance client = HazelcastTesting.client(cluster, member.port());
      try (CacheEngine engine = CacheEngine.builder(CachePolicies.builder()
              .add(CachePolicy.forRoute("/api/items/{id}").ttl(Duration.ofMinutes(5)).invalidateOn("item.updated")
                  .build()).build(), HazelcastStore.create(client))
          .storeTimeout(Duration.ofSeconds(2)).invalidationPatience(Duration.ofSeconds(3)).build()) {
        await("() -> \"HIT\".equals(xCache(engine.handle(CacheRequest.get(\"/api/items/1\"), origin)))")
            .atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(50))
            .until(() -> "HIT".equals(xCache(engine.handle(CacheRequest.get("/api/items/1"), origin))));

        member.freeze();
        try {
          database.set(2); // the write the invalidation is for
          StoreException thrown = assertThrows(StoreException.class, () -> engine.invalidate("item.updated"));
          assertTrue(thrown.getMessage().contains("retried in the background"), thrown.getMessage());
          assertTrue(engine.invalidationsPending() > 0);
          CacheResponse whileFrozen = engine.handle(CacheRequest.get("/api/items/1"), origin);
          assertEquals("v2", whileFrozen.body().utf8());
          assertTrue(whileFrozen.headers().first(HeaderNames.CACHE_STATUS).orElse("").contains("invalidation-pending"),
              whileFrozen.headers().toString());
        } finally {
          member.thaw();
        }
        // the member runs again before the retried invalidation lands: no read in between gets v1
        await("() -> { CacheResponse r = engine.handle(CacheRequest.get(\"/api/items/1\"), origin); asse...")
            .atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(20)).until(() -> {
          CacheResponse r = engine.handle(CacheRequest.get("/api/items/1"), origin);
          assertEquals("v2", r.body().utf8(), "a read after the invalidation got the old data");
          return engine.invalidationsPending() == 0;
        });
        await("() -> \"HIT\".equals(xCache(engine.handle(CacheRequest.get(\"/api/items/1\"), origin)))")
            .atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(50))
            .until(() -> "HIT".equals(xCache(engine.handle(CacheRequest.get("/api/items/1"), origin))));
        assertEquals("v2", engine.handle(CacheRequest.get("/api/items/1"), origin).body().utf8());
      } finally {
        client.shutdown();
      }
    }
  }
}
