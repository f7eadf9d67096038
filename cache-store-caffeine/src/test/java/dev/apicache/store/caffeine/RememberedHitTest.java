package dev.apicache.store.caffeine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;

import dev.apicache.CacheEngine;
import dev.apicache.CachePolicies;
import dev.apicache.CachePolicy;
import dev.apicache.CacheRequest;
import dev.apicache.CacheResponse;
import dev.apicache.Origin;
import dev.apicache.testing.ManualClock;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Over the in-process store the engine keeps an entry's decoding and its last 200 beside the entry:
 * a hit within the same second sends that very response again, and nothing it remembers outlives
 * what it was built from (the second, the entry, an invalidation).
 */
class RememberedHitTest {
  private final ManualClock clock = new ManualClock();
  private final AtomicInteger version = new AtomicInteger(1);
  private final Origin origin = r -> CacheResponse.builder(200).header("Content-Type", "text/plain")
      .body("v" + version.get()).build();
  private final CacheEngine engine = CacheEngine.builder(CachePolicies.builder()
      .add(CachePolicy.forRoute("/api/products/{id}").ttl(Duration.ofMinutes(5)).build()).build(),
      CaffeineStore.builder().ticker(clock::nanos).build()).clock(clock).build();

  @AfterEach
  void close() {
    engine.close();
  }

  private CacheResponse get(String host) {
    return engine.handle(CacheRequest.builder("GET", "/api/products/1").header("Host", host).build(), origin);
  }

  @Test
  void hitsWithinASecond_areOneResponse_andTheNextSecondRendersItsOwnAge() {
    assertEquals("MISS", get("a.example").headers().first("X-Cache").orElseThrow());
    CacheResponse first = get("a.example");
    assertEquals("HIT", first.headers().first("X-Cache").orElseThrow());
    assertSame(first, get("a.example"), "the same second, path and host: nothing built again");
    clock.advance(Duration.ofMillis(1_500));
    CacheResponse later = get("a.example");
    assertNotSame(first, later);
    assertEquals("0", first.headers().first("Age").orElseThrow());
    assertEquals("1", later.headers().first("Age").orElseThrow());
    assertEquals("v1", later.body().utf8());
  }

  @Test
  void anotherHost_neverGetsTheRememberedResponse() {
    get("a.example");
    CacheResponse a = get("a.example");
    version.set(2);
    CacheResponse b = get("b.example");
    assertEquals("MISS", b.headers().first("X-Cache").orElseThrow());
    assertEquals("v2", b.body().utf8());
    assertEquals("v1", get("a.example").body().utf8());
    String keyOfA = a.headers().first("Cache-Status").orElseThrow().replaceAll(".*key=([0-9a-f]+).*", "$1");
    String statusOfB = get("b.example").headers().first("Cache-Status").orElseThrow();
    assertEquals(false, statusOfB.contains("key=" + keyOfA), statusOfB);
  }

  @Test
  void afterAPurge_theRememberedResponseIsNeverSent() {
    get("a.example");
    CacheResponse before = get("a.example");
    version.set(2);
    engine.purge("/api/products/1");
    CacheResponse after = get("a.example");
    assertNotSame(before, after);
    assertEquals("v2", after.body().utf8());
    assertEquals("MISS", after.headers().first("X-Cache").orElseThrow());
  }
}
