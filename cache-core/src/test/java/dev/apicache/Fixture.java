package dev.apicache;

import dev.apicache.http.HeaderNames;
import dev.apicache.spi.Store;
import dev.apicache.testing.InMemoryStore;
import dev.apicache.testing.ManualClock;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;

/** An engine over the in-memory store, a manual clock and an origin that counts what it served. */
final class Fixture implements AutoCloseable {
  final ManualClock clock = new ManualClock();
  final InMemoryStore memory = new InMemoryStore(clock);
  final CacheEngine engine;
  final AtomicInteger originCalls = new AtomicInteger();
  final Map<String, AtomicInteger> callsByTarget = new ConcurrentHashMap<>();
  volatile int version = 1;
  volatile Function<CacheRequest, CacheResponse> respond = r -> CacheResponse.builder(200)
      .header("Content-Type", "application/json")
      .body("{\"target\":\"" + r.target() + "\",\"version\":" + version + "}")
      .build();

  /** The policies used by most engine tests. */
  static CachePolicies defaultPolicies() {
    return CachePolicies.builder()
        .add(CachePolicy.forRoute("/api/products").ttl(Duration.ofSeconds(60)).staleWhileRevalidate(Duration.ofSeconds(30))
            .staleIfError(Duration.ofMinutes(10)).varyBy("category", "page").invalidateOn("product.updated").build())
        .add(CachePolicy.forRoute("/api/products/{id}").ttl(Duration.ofSeconds(60))
            .staleWhileRevalidate(Duration.ofSeconds(30)).invalidateOn("product.updated").tags("product:{id}").build())
        .add(CachePolicy.forRoute("/api/config").ttl(Duration.ofSeconds(60)).varyBy("header:X-Tenant-Id", "key:tenant")
            .build())
        .add(CachePolicy.forRoute("/api/shared").ttl(Duration.ofSeconds(60)).shared(true).build())
        .add(CachePolicy.forRoute("/api/small").ttl(Duration.ofSeconds(60)).maxBodyBytes(16).build())
        .add(CachePolicy.forRoute("/api/user/profile").ttl(Duration.ZERO).build())
        .write(WriteRule.of("/api/products/**", java.util.List.of(), java.util.List.of("product.updated")))
        .keyFunction("tenant", KeyFunction.attribute("tenant"))
        .build();
  }

  Fixture() {
    this(defaultPolicies());
  }

  Fixture(CachePolicies policies) {
    this(policies, null);
  }

  /**
   * Short store timeout and patience: tests that give up on a store that always fails do so quickly,
   * and those bounds guard nothing a loaded machine could miss.
   */
  Fixture(CachePolicies policies, Store store) {
    this(policies, store, Duration.ofMillis(200), Duration.ofMillis(500));
  }

  Fixture(CachePolicies policies, Store store, Duration storeTimeout, Duration invalidationPatience) {
    this.engine = CacheEngine.builder(policies, store == null ? memory : store)
        .clock(clock)
        .storeTimeout(storeTimeout)
        .invalidationPatience(invalidationPatience)
        .coalesceTimeout(Duration.ofSeconds(10))
        .honourClientCacheControl(true) // the RFC 9111 suites test the directives themselves
        .build();
  }

  final Origin origin = request -> {
    originCalls.incrementAndGet();
    callsByTarget.computeIfAbsent(request.target(), k -> new AtomicInteger()).incrementAndGet();
    return respond.apply(request);
  };

  CacheResponse get(String target, String... headers) {
    CacheRequest.Builder b = CacheRequest.builder("GET", target);
    for (int i = 0; i < headers.length; i += 2) {
      b.header(headers[i], headers[i + 1]);
    }
    return engine.handle(b.build(), origin);
  }

  CacheResponse send(CacheRequest request) {
    return engine.handle(request, origin);
  }

  /** Polls every millisecond (the default 100 ms would dominate many rounds), up to 30 s. */
  static org.awaitility.core.ConditionFactory quickly() {
    return org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(30)).pollDelay(Duration.ZERO)
        .pollInterval(Duration.ofMillis(1));
  }

  /** Waits for {@code latch}, at most 30 s, and fails the test if it never opens. */
  static void awaitLatch(java.util.concurrent.CountDownLatch latch) {
    try {
      if (!latch.await(30, java.util.concurrent.TimeUnit.SECONDS)) {
        throw new IllegalStateException("latch never opened");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  static String xCache(CacheResponse r) {
    return r.headers().first(HeaderNames.X_CACHE).orElse("");
  }

  static String cacheStatus(CacheResponse r) {
    return r.headers().first(HeaderNames.CACHE_STATUS).orElse("");
  }

  @Override
  public void close() {
    engine.close();
  }
}
