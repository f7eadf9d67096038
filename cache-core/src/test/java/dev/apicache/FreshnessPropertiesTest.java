package dev.apicache;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.longs;

import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.quicktheories.core.Gen;

class FreshnessPropertiesTest {
  private static final Gen<Long> MILLIS = longs().between(0, 3_600_000);

  /** DESIGN.md §3, written independently of the implementation. */
  private static Freshness.State expected(long age, long ttl, long swr, long sie) {
    if (age < ttl) {
      return Freshness.State.FRESH;
    }
    if (age < ttl + swr) {
      return Freshness.State.STALE;
    }
    if (age < ttl + Math.max(swr, sie)) {
      return Freshness.State.STALE_IF_ERROR;
    }
    return Freshness.State.EXPIRED;
  }

  private static Freshness.State classify(long age, long ttl, long swr, long sie) {
    return Freshness.classify(Duration.ofMillis(age), Duration.ofMillis(ttl), Duration.ofMillis(swr),
        Duration.ofMillis(sie));
  }

  @Test
  void classify_isExactlyTheDesignTable() {
    qt().withExamples(5000).forAll(longs().between(0, 7_200_000), MILLIS, MILLIS, MILLIS)
        .checkAssert((age, ttl, swr, sie) -> assertEquals(expected(age, ttl, swr, sie), classify(age, ttl, swr, sie)));
  }

  @Test
  void classify_isMonotonicInAge() {
    qt().withExamples(5000).forAll(MILLIS, MILLIS, MILLIS, MILLIS).checkAssert((age, ttl, swr, sie) -> {
      Freshness.State now = classify(age, ttl, swr, sie);
      Freshness.State later = classify(age + 1 + age % 977, ttl, swr, sie);
      assertTrue(later.compareTo(now) >= 0, now + " then " + later);
    });
  }

  @Test
  void boundaries_belongToTheLaterState() {
    assertEquals(Freshness.State.FRESH, classify(59_999, 60_000, 30_000, 600_000));
    assertEquals(Freshness.State.STALE, classify(60_000, 60_000, 30_000, 600_000));
    assertEquals(Freshness.State.STALE_IF_ERROR, classify(90_000, 60_000, 30_000, 600_000));
    assertEquals(Freshness.State.EXPIRED, classify(660_000, 60_000, 30_000, 600_000));
    assertEquals(Freshness.State.EXPIRED, classify(60_000, 60_000, 0, 0));
  }

  @Test
  void negativeAge_countsAsFresh() {
    assertEquals(Freshness.State.FRESH,
        Freshness.classify(Duration.ofSeconds(-30), Duration.ofSeconds(1), Duration.ZERO, Duration.ZERO));
  }
}
