package dev.apicache;

import dev.apicache.spi.Fence;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Local request coalescing: at most one origin call per key and fence on this node; concurrent
 * misses wait for it, bounded.
 */
final class SingleFlight {
  private final ConcurrentHashMap<CacheKey, Flight> flights = new ConcurrentHashMap<>();

  /** The flight a request of {@code key} joins, and whether it leads it (makes the call). */
  record Joined(Flight flight, boolean leads) {}

  /** A new flight for {@code key} when none is in the air (the caller leads it), else the one that is. */
  Joined join(CacheKey key, Fence fence) {
    Flight mine = new Flight(this, key, fence);
    Flight current = flights.putIfAbsent(key, mine);
    return current == null ? new Joined(mine, true) : new Joined(current, false);
  }

  /** One origin call in progress, and the requests waiting for it. */
  static final class Flight {
    private final SingleFlight owner;
    private final CacheKey key;
    final Fence fence;
    private final CompletableFuture<Optional<Outcome>> result = new CompletableFuture<>();

    private Flight(SingleFlight owner, CacheKey key, Fence fence) {
      this.owner = owner;
      this.key = key;
      this.fence = fence;
    }

    /** Ends the flight: waiting requests get {@code outcome}. */
    void land(Outcome outcome) {
      end(Optional.of(outcome));
    }

    /** Ends the flight without an outcome: waiting requests call the origin themselves. */
    void abandon() {
      end(Optional.empty());
    }

    private void end(Optional<Outcome> outcome) {
      result.complete(outcome);
      owner.flights.remove(key, this);
    }

    /** The leader's outcome; empty when it took longer than {@code timeout} or abandoned the call. */
    Optional<Outcome> await(Duration timeout) {
      try {
        return result.get(timeout.toNanos(), TimeUnit.NANOSECONDS);
      } catch (TimeoutException | ExecutionException e) {
        return Optional.empty();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return Optional.empty();
      }
    }
  }
}
