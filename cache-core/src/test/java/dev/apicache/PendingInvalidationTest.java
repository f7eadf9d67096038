package dev.apicache;

import static dev.apicache.Fixture.cacheStatus;
import static dev.apicache.Fixture.quickly;
import static dev.apicache.Fixture.xCache;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.apicache.spi.Counter;
import dev.apicache.spi.EntryKey;
import dev.apicache.spi.Fence;
import dev.apicache.spi.Store;
import dev.apicache.testing.FaultyStore;
import dev.apicache.testing.InMemoryStore;
import dev.apicache.testing.ManualClock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.Test;

/**
 * An invalidation the store does not record within the patience is never dropped and never
 * reported as a success: its caller hears it, it is retried until the store records it, and until
 * then this node serves nothing it fences.
 */
class PendingInvalidationTest {
  private final FaultyStore faulty = new FaultyStore(new InMemoryStore(new ManualClock()));
  /**
   * A store timeout no healthy call reaches on a busy machine (these tests make the store throw, not
   * hang), and a short patience: a store that always throws runs it out whatever the machine.
   */
  private final Fixture f = new Fixture(Fixture.defaultPolicies(), faulty, Duration.ofSeconds(30),
      Duration.ofMillis(500));

  @AfterEach
  void close() {
    faulty.heal();
    f.close();
  }

  @Test
  void anInvalidationTheStoreDoesNotRecord_throws_andStaysPendingUntilTheStoreRecordsIt() {
    assertEquals("MISS", xCache(f.get("/api/products/7")));
    assertEquals("HIT", xCache(f.get("/api/products/7")));
    f.version = 2; // the write the invalidation is for
    faulty.mode(FaultyStore.Mode.THROW);
    StoreException thrown = assertThrows(StoreException.class, () -> f.engine.invalidate("product.updated"));
    assertTrue(thrown.getMessage().contains("retried in the background"), thrown.getMessage());
    assertTrue(f.engine.invalidationsPending() > 0);

    faulty.heal(); // the store is back before the retry lands: nothing old may be served meanwhile
    quickly().until(() -> {
      CacheResponse r = f.get("/api/products/7");
      assertTrue(r.body().utf8().contains("\"version\":2"), "served data from before the invalidation: " + r.body().utf8());
      return f.engine.invalidationsPending() == 0;
    });
    CacheResponse after = f.get("/api/products/7");
    assertTrue(after.body().utf8().contains("\"version\":2"), after.body().utf8());
    assertFalse(cacheStatus(after).contains("invalidation-pending"), cacheStatus(after));
    assertEquals("HIT", xCache(f.get("/api/products/7")), "the policy is cached again once it is recorded");
  }

  @Test
  void whilePending_thePoliciesItCovers_areAnsweredFromTheOrigin_andOthersFromTheCache() {
    f.get("/api/products/8");
    f.get("/api/shared");
    faulty.mode(FaultyStore.Mode.THROW);
    assertThrows(StoreException.class, () -> f.engine.invalidateTags("product:8"));
    faulty.failNextBumps(Integer.MAX_VALUE); // the store is back for reads, not yet for the retried bump
    faulty.heal();
    int before = f.originCalls.get();
    CacheResponse r = f.get("/api/products/8");
    assertEquals("BYPASS", xCache(r));
    assertTrue(cacheStatus(r).contains("detail=invalidation-pending"), cacheStatus(r));
    assertEquals(before + 1, f.originCalls.get());
    // a policy without tags is not covered by a tag invalidation (the failing bumps may hold the
    // store's circuit open, so it is answered as a miss or a hit, not bypassed)
    CacheResponse shared = f.get("/api/shared");
    assertFalse(cacheStatus(shared).contains("invalidation-pending"), cacheStatus(shared));
    assertFalse("BYPASS".equals(xCache(shared)), cacheStatus(shared));
    assertTrue(f.engine.stats().total().bypassReasons().containsKey("invalidation-pending"));
    faulty.failNextBumps(0);
    quickly().until(() -> f.engine.invalidationsPending() == 0);
    assertEquals("MISS", xCache(f.get("/api/products/8")));
  }

  @Test
  void aWriteWhoseInvalidationIsNotRecorded_isAnswered503_neverAsASuccess() {
    f.get("/api/products/9");
    faulty.mode(FaultyStore.Mode.THROW);
    f.respond = r -> CacheResponse.builder(201).header("Location", "/api/products/9").body("{\"id\":9}").build();
    CacheResponse write = f.send(CacheRequest.builder("PUT", "/api/products/9").body(Bytes.utf8("{\"name\":\"new\"}")).build());
    assertEquals(503, write.status());
    assertTrue(cacheStatus(write).contains("fwd-status=201"), cacheStatus(write));
    assertTrue(cacheStatus(write).contains("detail=invalidation-pending"), cacheStatus(write));
    assertTrue(write.body().utf8().contains("answered this write with 201"), write.body().utf8());
    assertEquals("no-store", write.headers().first("Cache-Control").orElse(""));
    assertEquals(2, f.originCalls.get(), "the write itself reached the origin once");
    assertTrue(f.engine.invalidationsPending() > 0);
  }

  @Test
  void pendingCountersPastTheBound_foldIntoTheirPolicyCounters() {
    CachePolicies policies = Fixture.defaultPolicies();
    CachePolicy products = policies.policies().stream().filter(p -> p.id().equals("/api/products/{id}"))
        .findFirst().orElseThrow();
    FaultyStore failing = new FaultyStore(new InMemoryStore(new ManualClock()));
    failing.failNextBumps(Integer.MAX_VALUE);
    try (GuardedStore store = new GuardedStore(failing, Duration.ofSeconds(5));
        PendingInvalidations pending = new PendingInvalidations(store, policies.policies())) {
      List<Counter> urls = new ArrayList<>();
      for (int i = 0; i <= PendingInvalidations.MAX_COUNTERS; i++) {
        urls.add(FenceNames.url(products, "/api/products/" + i));
      }
      pending.add(urls);
      assertEquals(1, pending.size(), "every URL counter folds into the one policy counter");
      assertTrue(pending.blocks(products));
    }
  }

  /**
   * A retry that began before a later invalidation of the same counter cannot stand for it: the
   * later one stays pending until a try that began after it succeeds.
   */
  @RepeatedTest(5)
  void aRetryInFlight_doesNotCountForALaterInvalidationOfTheSameCounter() {
    HoldingStore store = new HoldingStore(new InMemoryStore(new ManualClock()));
    CachePolicies policies = Fixture.defaultPolicies();
    CachePolicy products = policies.policies().get(0);
    Counter counter = FenceNames.policy(products);
    store.failing.set(true);
    try (GuardedStore guarded = new GuardedStore(store, Duration.ofSeconds(30));
        PendingInvalidations pending = new PendingInvalidations(guarded, policies.policies())) {
      CountDownLatch held = store.holdNextBump();
      pending.add(List.of(counter));
      store.failing.set(false);
      Fixture.awaitLatch(held); // a try is in flight, begun before the next add
      pending.add(List.of(counter));
      store.release();
      quickly().until(() -> pending.size() == 0);
      assertTrue(store.recorded.get() >= 2, "a try begun after the second add was needed: " + store.recorded.get());
    }
  }

  /** A store whose bumps fail while {@code failing}, and whose next bump can be held in flight. */
  private static final class HoldingStore implements Store {
    private final Store delegate;
    final AtomicBoolean failing = new AtomicBoolean();
    final AtomicInteger recorded = new AtomicInteger();
    private final AtomicReference<CountDownLatch> holdNext = new AtomicReference<>();
    private final CountDownLatch released = new CountDownLatch(1);

    HoldingStore(Store delegate) {
      this.delegate = delegate;
    }

    /** A latch that opens once the next successful bump is in flight, held until {@link #release}. */
    CountDownLatch holdNextBump() {
      CountDownLatch inFlight = new CountDownLatch(1);
      holdNext.set(inFlight);
      return inFlight;
    }

    void release() {
      released.countDown();
    }

    @Override
    public Optional<byte[]> get(EntryKey key) {
      return delegate.get(key);
    }

    @Override
    public Fence fence(List<Counter> counters) {
      return delegate.fence(counters);
    }

    @Override
    public boolean put(EntryKey key, byte[] entry, Duration timeToLive, Fence fence) {
      return delegate.put(key, entry, timeToLive, fence);
    }

    @Override
    public void bump(Collection<Counter> counters) {
      if (failing.get()) {
        throw new StoreException("injected bump fault");
      }
      CountDownLatch inFlight = holdNext.getAndSet(null);
      if (inFlight != null) {
        inFlight.countDown();
        Fixture.awaitLatch(released);
      }
      delegate.bump(counters);
      recorded.incrementAndGet();
    }

    @Override
    public void close() {
      delegate.close();
    }
  }
}
