package dev.apicache.demo;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * What both catalogues count: every statement, and each thing read at least once, up to
 * {@link #MAX_NOTED} of them. Clients choose what they read (any product id, any tenant), so the
 * notes are bounded: a scenario reads a few thousand things, and a client that sends ever new
 * values cannot grow the demo's memory.
 */
abstract class CountingCatalog implements ProductCatalog {
  /** How many distinct things are noted as read; reads of others are counted as queries only. */
  static final int MAX_NOTED = 100_000;

  /** Statements sent so far; each call of the catalogue adds one. */
  protected final LongAdder queries = new LongAdder();
  private final Set<String> read = ConcurrentHashMap.newKeySet();

  /** Notes that {@code what} ("product 7") has been read, while fewer than {@link #MAX_NOTED} are noted. */
  protected final void reading(String what) {
    if (read.size() < MAX_NOTED) {
      read.add(what); // a few past the bound when threads race here; never without bound
    }
  }

  @Override
  public final long queries() {
    return queries.sum();
  }

  @Override
  public final Set<String> readOnce() {
    return Set.copyOf(read);
  }
}
