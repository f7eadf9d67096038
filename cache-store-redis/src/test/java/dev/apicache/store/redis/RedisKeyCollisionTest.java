package dev.apicache.store.redis;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.apicache.CacheEngine;
import dev.apicache.CachePolicies;
import dev.apicache.CachePolicy;
import dev.apicache.CacheRequest;
import dev.apicache.CacheResponse;
import dev.apicache.spi.Counter;
import dev.apicache.spi.EntryKey;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * Every name forced to one hash: two keys then share one Redis key, and each read still returns only
 * its own key's entry (the full key is checked), so a collision is a miss, never another's answer.
 */
class RedisKeyCollisionTest {
  private static RedisStore colliding() {
    RedisStore s = RedisStore.builder(RedisStoreTest.redisUri()).keyPrefix("collide:" + UUID.randomUUID() + ":")
        .commandTimeout(Duration.ofSeconds(2)).names(new NameHash(name -> "same")).build();
    RedisTesting.awaitConnected(s);
    return s;
  }

  private static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  @Test
  void twoKeysWithOneHash_neverReadEachOthersEntry() {
    try (RedisStore store = colliding()) {
      EntryKey one = new EntryKey("p", "+1:/one");
      EntryKey two = new EntryKey("p", "+1:/two");
      List<Counter> fence = List.of(new Counter("p", "p:x"));
      assertTrue(store.put(one, bytes("first"), Duration.ofMinutes(1), store.fence(fence)));
      assertArrayEquals(bytes("first"), store.get(one).orElseThrow());
      assertTrue(store.put(two, bytes("second"), Duration.ofMinutes(1), store.fence(fence)));
      assertArrayEquals(bytes("second"), store.get(two).orElseThrow());
      assertTrue(store.get(one).isEmpty(), "the shared name now holds the other key's entry: a miss");
      assertTrue(store.getWatching(one, fence, List.of(new Counter("p", "su:/one"))).isEmpty());
      assertArrayEquals(bytes("second"),
          store.getWatching(two, fence, List.of(new Counter("p", "su:/two"))).orElseThrow().entry());
    }
  }

  @Test
  void keysThatUtf8WouldConfuse_stayApart_evenWhenTheirNamesCollide() {
    try (RedisStore store = colliding()) {
      EntryKey one = new EntryKey("p", "+2:/\uD800");
      EntryKey two = new EntryKey("p", "+2:/\uDBFF"); // both unpaired surrogates: one '?' each in UTF-8
      List<Counter> fence = List.of(new Counter("p", "p:x"));
      assertTrue(store.put(one, bytes("first"), Duration.ofMinutes(1), store.fence(fence)));
      assertTrue(store.put(two, bytes("second"), Duration.ofMinutes(1), store.fence(fence)));
      assertTrue(store.get(one).isEmpty(), "the other key's entry is never this one's");
      assertArrayEquals(bytes("second"), store.get(two).orElseThrow());
    }
  }

  @Test
  void anEngineOverCollidingNames_answersEachUrlWithItsOwnBody() {
    CachePolicies policies = CachePolicies.builder()
        .add(CachePolicy.forRoute("/api/items/{id}").ttl(Duration.ofMinutes(5)).build()).build();
    try (CacheEngine engine = CacheEngine.builder(policies, colliding()).storeTimeout(Duration.ofSeconds(2)).build()) {
      for (int i = 0; i < 50; i++) {
        String id = Integer.toString(i % 3);
        CacheResponse r = engine.handle(CacheRequest.get("/api/items/" + id),
            req -> CacheResponse.builder(200).body("item " + id).build());
        assertEquals("item " + id, r.body().utf8(), "request " + i);
      }
    }
  }
}
