package dev.apicache;

import static dev.apicache.Fixture.xCache;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The two-phase API adapters use to run a miss in place: admit, serve, then complete the fill. */
class ServingTest {
  private final Fixture f = new Fixture();
  private final Origin unused = r -> {
    throw new AssertionError("no background call expected");
  };

  @AfterEach
  void close() {
    f.close();
  }

  private Admission.Cacheable admit(String target, String... headers) {
    CacheRequest.Builder b = CacheRequest.builder("GET", target);
    for (int i = 0; i < headers.length; i += 2) {
      b.header(headers[i], headers[i + 1]);
    }
    return assertInstanceOf(Admission.Cacheable.class, f.engine.admit(b.build()));
  }

  @Test
  void aCompletedFill_isStoredAndServedFromThenOn() {
    Serving.Fill fill = assertInstanceOf(Serving.Fill.class, f.engine.serve(admit("/api/products/1"), unused));
    assertEquals("GET", fill.originRequest().method());
    CacheResponse sent = fill.complete(CacheResponse.builder(200).body("in place").build());
    assertEquals("MISS", xCache(sent));
    assertTrue(fill.isDone());
    Serving again = f.engine.serve(admit("/api/products/1"), unused);
    CacheResponse hit = assertInstanceOf(Serving.Ready.class, again).response();
    assertEquals("HIT", xCache(hit));
    assertEquals("in place", hit.body().utf8());
  }

  @Test
  void aFill_finishesOnce() {
    Serving.Fill fill = (Serving.Fill) f.engine.serve(admit("/api/products/2"), unused);
    fill.complete(CacheResponse.builder(200).body("x").build());
    assertThrows(IllegalStateException.class, () -> fill.complete(CacheResponse.builder(200).body("y").build()));
    assertThrows(IllegalStateException.class, () -> fill.fail(new RuntimeException()));
    fill.close(); // a no-op once finished
  }

  @Test
  void aFailedFill_answers502AndStoresNothing() {
    Serving.Fill fill = (Serving.Fill) f.engine.serve(admit("/api/products/3"), unused);
    CacheResponse sent = fill.fail(new IllegalStateException("handler threw"));
    assertEquals(502, sent.status());
    assertInstanceOf(Serving.Fill.class, f.engine.serve(admit("/api/products/3"), unused)).close();
  }

  @Test
  void aWaitingRequest_getsTheLeadersAnswer_andAnAbandonedFillLetsItCallItself() throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(2);
    try {
      for (String outcome : new String[] {"complete", "abandon"}) {
        String target = "/api/products/" + outcome;
        Serving.Fill leader = (Serving.Fill) f.engine.serve(admit(target), unused);
        CompletableFuture<Void> waiting = new CompletableFuture<>();
        Future<Serving> follower = pool.submit(() -> {
          waiting.complete(null);
          return f.engine.serve(admit(target), unused);
        });
        waiting.get(60, TimeUnit.SECONDS);
        await("() -> f.engine.stats().total().coalescedWaits() >= (outcome.equals(\"complete\") ? 1 : 2)")
            .atMost(Duration.ofSeconds(60))
            .until(() -> f.engine.stats().total().coalescedWaits() >= (outcome.equals("complete") ? 1 : 2));
        if (outcome.equals("complete")) {
          leader.complete(CacheResponse.builder(200).body("shared").build());
          CacheResponse shared = assertInstanceOf(Serving.Ready.class, follower.get(60, TimeUnit.SECONDS)).response();
          assertEquals("shared", shared.body().utf8());
          assertTrue(shared.headers().first("Cache-Status").orElseThrow().contains("collapsed"));
        } else {
          leader.close();
          // nobody answered for it: the follower makes its own call instead of sharing a failure
          assertInstanceOf(Serving.Fill.class, follower.get(60, TimeUnit.SECONDS)).close();
        }
      }
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void aBackgroundRefresh_sendsTheRequestWithoutItsTraceContext() throws Exception {
    f.get("/api/products/9");
    f.clock.advance(Duration.ofSeconds(70)); // stale, within stale-while-revalidate
    AtomicReference<CacheRequest> refresh = new AtomicReference<>();
    CompletableFuture<Void> done = new CompletableFuture<>();
    Origin background = r -> {
      refresh.set(r);
      done.complete(null);
      return CacheResponse.builder(200).body("fresh").build();
    };
    Serving stale = f.engine.serve(admit("/api/products/9", "traceparent", "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01",
        "tracestate", "vendor=x", "baggage", "user=alice", "X-Request-Id", "r9"), background);
    assertEquals("STALE", xCache(assertInstanceOf(Serving.Ready.class, stale).response()));
    done.get(60, TimeUnit.SECONDS);
    CacheRequest sent = refresh.get();
    assertFalse(sent.headers().contains("traceparent"));
    assertFalse(sent.headers().contains("tracestate"));
    assertFalse(sent.headers().contains("baggage"));
    assertEquals("r9", sent.headers().first("X-Request-Id").orElseThrow(), "every other field goes as sent");
  }

  @Test
  void aGivenRevalidationExecutor_runsTheRefreshAndOutlivesTheEngine() throws Exception {
    ExecutorService mine = Executors.newSingleThreadExecutor();
    try (CacheEngine engine = CacheEngine.builder(Fixture.defaultPolicies(), f.memory).clock(f.clock)
        .revalidationExecutor(mine).build()) {
      engine.handle(CacheRequest.get("/api/products/5"), r -> CacheResponse.builder(200).body("old").build());
      f.clock.advance(Duration.ofSeconds(70));
      CompletableFuture<String> thread = new CompletableFuture<>();
      engine.handle(CacheRequest.get("/api/products/5"), r -> {
        thread.complete(Thread.currentThread().getName());
        return CacheResponse.builder(200).body("new").build();
      });
      String name = thread.get(60, TimeUnit.SECONDS);
      assertTrue(name.startsWith("pool-"), name);
    }
    assertFalse(mine.isShutdown());
    mine.shutdown();
  }

  @Test
  void withoutWaiting_aMissIsLeftToTheCaller_withNothingCounted_andAHitIsServedAndCountedOnce() {
    Admission.Cacheable first = admit("/api/products/20");
    assertTrue(f.engine.serveWithoutWaiting(first, unused).isEmpty(), "nothing stored: the caller fills it");
    CacheStats.Counts before = f.engine.stats().total();
    assertEquals(0, before.misses() + before.hits(), "the look counted nothing: " + before);
    CacheResponse miss = f.engine.handle(first, f.origin);
    assertEquals("MISS", xCache(miss));

    CacheResponse hit = f.engine.serveWithoutWaiting(admit("/api/products/20"), unused).orElseThrow();
    assertEquals("HIT", xCache(hit));
    assertEquals(miss.body().utf8(), hit.body().utf8());
    CacheStats.Counts after = f.engine.stats().total();
    assertEquals(1, after.misses());
    assertEquals(1, after.hits());
    assertEquals(1, f.originCalls.get());

    String etag = hit.headers().first("ETag").orElseThrow();
    CacheResponse notModified = f.engine.serveWithoutWaiting(admit("/api/products/20", "If-None-Match", etag), unused)
        .orElseThrow();
    assertEquals(304, notModified.status());
  }

  @Test
  void withoutWaiting_aStaleCopyIsServed_andItsRefreshRunsInTheBackground() throws Exception {
    f.get("/api/products/21");
    f.clock.advance(Duration.ofSeconds(70)); // stale, within stale-while-revalidate
    CompletableFuture<String> refreshed = new CompletableFuture<>();
    Origin background = r -> {
      refreshed.complete(r.target());
      return CacheResponse.builder(200).body("fresh").build();
    };
    CacheResponse stale = f.engine.serveWithoutWaiting(admit("/api/products/21"), background).orElseThrow();
    assertEquals("STALE", xCache(stale));
    assertEquals("/api/products/21", refreshed.get(60, TimeUnit.SECONDS));
    await("the refreshed copy is stored").atMost(Duration.ofSeconds(60)).until(() ->
        f.engine.serveWithoutWaiting(admit("/api/products/21"), unused).map(r -> r.body().utf8()).orElse("")
            .equals("fresh"));
  }

  @Test
  void withoutWaiting_aStoreThatMayBlock_isNeverReadByIt() {
    dev.apicache.spi.Store remote = new dev.apicache.spi.Store() {
      @Override
      public java.util.Optional<byte[]> get(dev.apicache.spi.EntryKey key) {
        return f.memory.get(key);
      }

      @Override
      public dev.apicache.spi.Fence fence(java.util.List<dev.apicache.spi.Counter> counters) {
        return f.memory.fence(counters);
      }

      @Override
      public boolean put(dev.apicache.spi.EntryKey key, byte[] entry, Duration timeToLive,
          dev.apicache.spi.Fence fence) {
        return f.memory.put(key, entry, timeToLive, fence);
      }

      @Override
      public void bump(java.util.Collection<dev.apicache.spi.Counter> counters) {
        f.memory.bump(counters);
      }

      @Override
      public boolean callsAreBounded() {
        return true;
      }

      @Override
      public void close() {
      }
    };
    try (CacheEngine engine = CacheEngine.builder(Fixture.defaultPolicies(), remote).clock(f.clock).build()) {
      CacheRequest request = CacheRequest.get("/api/products/22");
      engine.handle(request, f.origin);
      assertEquals("HIT", xCache(engine.handle(request, f.origin)), "stored");
      Admission.Cacheable again = assertInstanceOf(Admission.Cacheable.class, engine.admit(request));
      assertTrue(engine.serveWithoutWaiting(again, unused).isEmpty(), "a read that may wait is left to the caller");
      assertEquals(1, engine.stats().total().hits());
    }
  }
}
