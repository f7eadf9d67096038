package dev.apicache;

import static dev.apicache.Fixture.xCache;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.apicache.testing.InMemoryStore;
import dev.apicache.testing.ManualClock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

/**
 * The engine's work reaches its {@link EngineObserver}: each fill around its origin call on the
 * request's thread, each background revalidation on its own, each store call, with failures.
 */
class EngineObserverTest {
  private final List<String> events = new CopyOnWriteArrayList<>();

  /** Records "open kind detail thread", "failed kind" and "close kind" lines. */
  private final EngineObserver recorder = new EngineObserver() {
    @Override
    public Scope fill(CacheRequest request, String policyId) {
      return scope("fill", request.path() + " " + policyId);
    }

    @Override
    public Scope revalidation(CacheRequest request, String policyId) {
      return scope("revalidation", request.path() + " " + policyId);
    }

    @Override
    public Scope storeCall(String operation) {
      return scope("store", operation);
    }

    private Scope scope(String kind, String detail) {
      events.add("open " + kind + " " + detail + " @" + Thread.currentThread().getName());
      return new Scope() {
        @Override
        public void failed(Throwable error) {
          events.add("failed " + kind + " " + error.getMessage());
        }

        @Override
        public void close() {
          events.add("close " + kind + " " + detail + " @" + Thread.currentThread().getName());
        }
      };
    }
  };

  private final ManualClock clock = new ManualClock();

  private CacheEngine engine() {
    CachePolicies policies = CachePolicies.builder().add(CachePolicy.forRoute("/items/{id}")
        .ttl(Duration.ofSeconds(10)).staleWhileRevalidate(Duration.ofMinutes(1)).build()).build();
    return CacheEngine.builder(policies, new InMemoryStore(clock)).clock(clock).observer(recorder).build();
  }

  @Test
  void aFill_isObservedAroundItsOriginCall_onTheRequestsThread() {
    String thread = Thread.currentThread().getName();
    try (CacheEngine engine = engine()) {
      engine.handle(CacheRequest.get("/items/1"), r -> {
        events.add("origin");
        return CacheResponse.builder(200).body("one").build();
      });
      int open = events.indexOf("open fill /items/1 /items/{id} @" + thread);
      int origin = events.indexOf("origin");
      int close = events.indexOf("close fill /items/1 /items/{id} @" + thread);
      assertTrue(open >= 0 && open < origin && origin < close, events.toString());
      assertTrue(events.stream().anyMatch(e -> e.startsWith("open store get")), events.toString());
      assertTrue(events.stream().anyMatch(e -> e.startsWith("close store put")), events.toString());
      events.clear();
      assertEquals("HIT", xCache(engine.handle(CacheRequest.get("/items/1"), r -> {
        throw new AssertionError("a hit calls no origin");
      })));
      assertTrue(events.stream().noneMatch(e -> e.contains(" fill ")), "a hit is no fill: " + events);
    }
  }

  @Test
  void aFailedFill_isObservedAsFailed() {
    try (CacheEngine engine = engine()) {
      CacheResponse r = engine.handle(CacheRequest.get("/items/2"), q -> {
        throw new IllegalStateException("origin down");
      });
      assertEquals(502, r.status());
      assertTrue(events.contains("failed fill origin down"), events.toString());
      assertTrue(events.indexOf("failed fill origin down") < events.lastIndexOf(
          events.stream().filter(e -> e.startsWith("close fill")).findFirst().orElseThrow()), events.toString());
    }
  }

  @Test
  void aRevalidation_isObservedOnItsOwnThread() {
    try (CacheEngine engine = engine()) {
      engine.handle(CacheRequest.get("/items/3"), r -> CacheResponse.builder(200).body("old").build());
      clock.advance(Duration.ofSeconds(11));
      events.clear();
      assertEquals("STALE", xCache(engine.handle(CacheRequest.get("/items/3"),
          r -> CacheResponse.builder(200).body("new").build())));
      await("the refresh ends").atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(10))
          .until(() -> events.stream().anyMatch(e -> e.startsWith("close revalidation /items/3")));
      String open = events.stream().filter(e -> e.startsWith("open revalidation /items/3 /items/{id}"))
          .findFirst().orElseThrow();
      assertNotEquals(Thread.currentThread().getName(), open.substring(open.indexOf('@') + 1), events.toString());
    }
  }
}
