package dev.apicache.demo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** {@code ./apicache footprint} measures what it says: the stored bodies show in the heap it reports. */
class EntryFootprintTest {
  @Test
  void theMeasuredHeapPerEntry_holdsAtLeastTheBody() {
    EntryFootprint.Result r = EntryFootprint.measure(2_000, 16 * 1024);
    assertEquals(2_000, r.entries());
    assertTrue(r.heapPerEntry() >= 16 * 1024, "each entry holds its 16 KiB body: " + r);
    assertEquals(r.heapPerEntry() - 16 * 1024 - r.headerBytes(), r.overheadPerEntry());
  }
}
