package dev.apicache.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Collection;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.options.Options;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;

/**
 * Proves the benchmarks start and measure, in a few seconds: no figures are asserted (those live in
 * benchmarks/RESULTS.md, measured with the full settings).
 */
class JmhSmokeTest {
  @Test
  void hitPartsAndZipfBenchmarksRunAndReportAScore() throws Exception {
    // JMH's machine-wide lock keeps real measurements apart; a smoke run measures nothing, and
    // must not fail because another build on the machine runs its own at the same time
    System.setProperty("jmh.ignoreLock", "true");
    Options options = new OptionsBuilder()
        .include("dev.apicache.bench.(HitBenchmark|PartsBenchmark|ZipfHitBenchmark)"
            + ".(engineHit|rawCaffeineWithKey|admission)")
        .forks(0)
        .warmupIterations(1)
        .warmupTime(TimeValue.milliseconds(200))
        .measurementIterations(1)
        .measurementTime(TimeValue.milliseconds(200))
        .timeUnit(TimeUnit.NANOSECONDS)
        .shouldFailOnError(true)
        .build();
    Collection<RunResult> results = new Runner(options).run();
    assertEquals(5, results.size());
    for (RunResult r : results) {
      assertTrue(r.getPrimaryResult().getScore() > 0, r.getParams().getBenchmark());
    }
  }
}
