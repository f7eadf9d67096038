package dev.apicache.bench;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/** What both catalogues count: every statement, and each thing read at least once. */
abstract class CountingCatalog implements ProductCatalog {
  /** Statements sent so far; each call of the catalogue adds one. */
  protected final LongAdder queries = new LongAdder();
  private final Set<String> read = ConcurrentHashMap.newKeySet();

  /** Notes that {@code what} ("product 7") has been read. */
  protected final void reading(String what) {
    read.add(what);
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
