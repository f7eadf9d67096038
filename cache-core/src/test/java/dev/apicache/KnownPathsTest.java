package dev.apicache;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.integers;
import static org.quicktheories.generators.SourceDSL.lists;

import dev.apicache.testing.InMemoryStore;
import dev.apicache.testing.ManualClock;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The engine remembers per path what every request for it shares (its reading, its policy, the key of
 * its last host), so that a hit repeats none of it. Remembering must never change an answer: whatever
 * came before, a request is admitted exactly as a fresh engine admits it and answered with its own
 * host's, query's and header's response.
 */
class KnownPathsTest {
  private static final List<String> PATHS = List.of("/api/products/1", "/api/products/2", "/api/products/1/",
      "/api/products/%31", "/api/items/7", "/api/shared/1", "/api/shared/2", "/nothing/here", "/api/products/a/../1", "/api/lists/1", "/api/lists/2");
  private static final List<String> HOSTS = List.of("a.example", "b.example", "a.example:8080", "bad host", "");
  private static final List<String> QUERIES = List.of("", "v=1", "v=2", "v=%ZZ");
  private static final List<String> TENANTS = List.of("", "t1", "t2");

  private static CachePolicies policies() {
    return CachePolicies.builder()
        .add(CachePolicy.forRoute("/api/products/{id}").ttl(Duration.ofMinutes(5)).build())
        .add(CachePolicy.forRoute("/api/items/{id}").ttl(Duration.ofMinutes(5)).varyBy("v", "header:X-Tenant").build())
        .add(CachePolicy.forRoute("/api/lists/{id}").ttl(Duration.ofMinutes(5)).varyBy("v").build())
        .add(CachePolicy.forRoute("/api/shared/{id}").ttl(Duration.ofMinutes(5)).shareAcrossHosts(true).build())
        .build();
  }

  /** Everything a key may depend on, as the origin saw it: a cached answer must be this request's own. */
  private static CacheResponse echo(CacheRequest r) {
    String host = r.path().startsWith("/api/shared") ? "*" : r.headers().first("Host").orElse("");
    String vary = r.path().startsWith("/api/items") ? r.rawQuery() + "|" + r.headers().first("X-Tenant").orElse("")
        : r.path().startsWith("/api/lists") ? r.rawQuery() : "";
    return CacheResponse.builder(200).header("Content-Type", "text/plain")
        .body(r.path() + "|" + host + "|" + vary).build();
  }

  private static CacheRequest request(int path, int host, int query, int tenant, boolean head, boolean https) {
    String q = QUERIES.get(query);
    CacheRequest.Builder b = CacheRequest.builder(head ? "HEAD" : "GET", PATHS.get(path) + (q.isEmpty() ? "" : "?" + q))
        .scheme(https ? "https" : "http");
    if (!HOSTS.get(host).isEmpty()) {
      b.header("Host", HOSTS.get(host));
    }
    if (!TENANTS.get(tenant).isEmpty()) {
      b.header("X-Tenant", TENANTS.get(tenant));
    }
    return b.build();
  }

  private static String admitted(Admission a) {
    return a instanceof Admission.Bypass b ? "bypass " + b.reason()
        : a instanceof Admission.Cacheable c ? "cacheable " + c.key() : "write";
  }

  @Test
  void whateverCameBefore_aRequestIsAdmittedAsAFreshEngineWould_andAnsweredWithItsOwnResponse() {
    qt().withExamples(150).forAll(lists().of(integers().between(0, 2_639)).ofSizeBetween(1, 80)).checkAssert(seeds -> {
      ManualClock clock = new ManualClock();
      try (CacheEngine shared = CacheEngine.builder(policies(), new InMemoryStore(clock)).clock(clock).build()) {
        for (int seed : seeds) {
          int rest = seed / PATHS.size();
          CacheRequest r = request(seed % PATHS.size(), rest % HOSTS.size(), rest / 5 % QUERIES.size(),
              rest / 20 % TENANTS.size(), rest / 60 % 2 == 1, rest / 120 % 2 == 1);
          try (CacheEngine fresh = CacheEngine.builder(policies(), new InMemoryStore(clock)).clock(clock).build()) {
            assertEquals(admitted(fresh.admit(r)), admitted(shared.admit(r)), r.method() + " " + r.target());
          }
          CacheResponse answer = shared.handle(r, KnownPathsTest::echo);
          if (r.method().equals("GET")) {
            assertEquals(echo(r).body().utf8(), answer.body().utf8(), r.target() + " " + r.headers());
          }
        }
      }
    });
  }

  @Test
  void aPathSeenBefore_sharesItsKeyWithTheRequestBefore_whileItsHostIsTheSame() {
    ManualClock clock = new ManualClock();
    try (CacheEngine engine = CacheEngine.builder(policies(), new InMemoryStore(clock)).clock(clock).build()) {
      Admission.Cacheable first = (Admission.Cacheable) engine.admit(request(0, 0, 0, 0, false, false));
      Admission.Cacheable second = (Admission.Cacheable) engine.admit(request(0, 0, 0, 0, true, false));
      assertSame(first.key(), second.key(), "built once for the path and host");
      Admission.Cacheable otherHost = (Admission.Cacheable) engine.admit(request(0, 1, 0, 0, false, false));
      assertEquals(false, otherHost.key().equals(first.key()));
    }
  }
}
