package dev.apicache;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.integers;
import static org.quicktheories.generators.SourceDSL.lists;

import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.quicktheories.core.Gen;

/** The counters equal the outcomes a random sequence of requests and invalidations produced. */
class StatsPropertiesTest {
  private static final List<String> TARGETS = List.of("/api/products?category=a", "/api/products?category=b",
      "/api/products/1", "/api/products/2", "/api/user/profile", "/nowhere");

  /** One step: 0-5 a GET of a target, 6 a conditional GET, 7 time passes, 8 an event, 9 a tag, 10 a PUT. */
  private static final Gen<List<Integer>> STEPS = lists().of(integers().between(0, 10)).ofSizeBetween(1, 60);

  @Test
  void countersEqualObservedOutcomes() {
    qt().withExamples(200).forAll(STEPS).checkAssert(steps -> {
      try (Fixture f = new Fixture()) {
        long hits = 0;
        long stale = 0;
        long conditional = 0;
        long misses = 0;
        long bypasses = 0;
        long events = 0;
        long tags = 0;
        String lastEtag = "\"none\"";
        int i = 0;
        for (int step : steps) {
          i++;
          CacheResponse r;
          if (step <= 6) {
            String target = TARGETS.get(step == 6 ? 2 : step);
            r = step == 6 ? f.get(target, "If-None-Match", lastEtag) : f.get(target);
            lastEtag = r.headers().first("ETag").orElse(lastEtag);
            String x = Fixture.xCache(r);
            boolean notModified = r.status() == 304;
            if (x.equals("BYPASS")) {
              bypasses++;
            } else if (x.equals("MISS") || Fixture.cacheStatus(r).contains("stale-if-error")) {
              misses++;
            } else if (notModified) {
              conditional++;
            } else if (x.equals("HIT")) {
              hits++;
            } else {
              stale++;
            }
          } else if (step == 7) {
            f.clock.advance(Duration.ofSeconds(25 + i % 50));
          } else if (step == 8) {
            events += f.engine.invalidate("product.updated");
          } else if (step == 9) {
            f.engine.invalidateTags("product:1");
            tags++;
          } else {
            f.send(CacheRequest.builder("PUT", "/api/products/2").build());
            bypasses++;
            events += 2; // the write rule fires product.updated: both product policies
          }
        }
        CacheStats.Counts total = f.engine.stats().total();
        assertEquals(hits, total.hits(), "hits");
        assertEquals(stale, total.staleHits(), "staleHits");
        assertEquals(conditional, total.conditionalHits(), "conditionalHits");
        assertEquals(misses, total.misses(), "misses");
        assertEquals(bypasses, total.bypasses(), "bypasses");
        assertEquals(events, total.eventInvalidations(), "eventInvalidations");
        assertEquals(tags, total.tagInvalidations(), "tagInvalidations");
        long served = hits + stale + conditional;
        assertEquals(served + misses == 0 ? 0.0 : (double) served / (served + misses), total.hitRate(), 1e-12);
        long perPolicy = f.engine.stats().byPolicy().values().stream().mapToLong(CacheStats.Counts::hits).sum();
        assertEquals(total.hits(), perPolicy, "per-policy hits add up to the total");
      }
    });
  }
}
