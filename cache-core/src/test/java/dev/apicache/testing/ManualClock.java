package dev.apicache.testing;

import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A clock that moves only when told: tests advance it instead of sleeping. It serves both as the
 * engine's {@link InstantSource} and, through {@link #nanos()}, as a store's ticker. Thread-safe.
 */
public final class ManualClock implements InstantSource {
  private final AtomicLong nanos;

  /** A clock at 2026-01-01T00:00:00Z. */
  public ManualClock() {
    this(Instant.parse("2026-01-01T00:00:00Z"));
  }

  public ManualClock(Instant start) {
    this.nanos = new AtomicLong(start.getEpochSecond() * 1_000_000_000L + start.getNano());
  }

  /** Moves the clock forward by {@code amount}. */
  public void advance(Duration amount) {
    if (amount.isNegative()) {
      throw new IllegalArgumentException("a manual clock only moves forward, not by " + amount);
    }
    nanos.addAndGet(amount.toNanos());
  }

  /** Nanoseconds since the epoch, for tickers. */
  public long nanos() {
    return nanos.get();
  }

  @Override
  public Instant instant() {
    long n = nanos.get();
    return Instant.ofEpochSecond(Math.floorDiv(n, 1_000_000_000L), Math.floorMod(n, 1_000_000_000L));
  }

  @Override
  public long millis() {
    return Math.floorDiv(nanos.get(), 1_000_000L);
  }
}
