package dev.apicache;

import dev.apicache.spi.EntryKey;
import dev.apicache.spi.Fence;
import java.util.Optional;

/**
 * How one fill is coordinated with the others: the fence it stores under (none when it must not
 * store: the client's {@code no-store}, or the store is down), the flight whose waiting requests
 * it answers (none when it leads nobody), and the cluster-wide lease it holds (none without).
 */
record FillCoordination(Optional<Fence> fence, Optional<SingleFlight.Flight> flight, Optional<EntryKey> lease) {
  /** A fill that stores nothing and answers nobody else. */
  static FillCoordination unstored() {
    return new FillCoordination(Optional.empty(), Optional.empty(), Optional.empty());
  }

  /** A fill that stores under {@code fence}, on its own. */
  static FillCoordination fenced(Fence fence) {
    return new FillCoordination(Optional.of(fence), Optional.empty(), Optional.empty());
  }

  /** A fill that stores under {@code fence} and answers the requests waiting on {@code flight}. */
  static FillCoordination leading(Fence fence, SingleFlight.Flight flight) {
    return new FillCoordination(Optional.of(fence), Optional.of(flight), Optional.empty());
  }

  /** As {@link #leading}, holding the cluster-wide {@code lease} on the key too. */
  static FillCoordination leased(Fence fence, SingleFlight.Flight flight, EntryKey lease) {
    return new FillCoordination(Optional.of(fence), Optional.of(flight), Optional.of(lease));
  }
}
