package dev.apicache.spi;

import static java.util.Objects.requireNonNull;

/** The rules {@link EntryKey} and {@link Counter} share. */
final class Names {
  private Names() {}

  static void check(String partition, String id) {
    requireNonNull(partition, "partition");
    requireNonNull(id, "id");
    if (partition.isEmpty() || partition.indexOf('|') >= 0) {
      throw new IllegalArgumentException("partition must be non-empty and without '|' but was '" + partition + "'");
    }
    if (id.isEmpty()) {
      throw new IllegalArgumentException("id must not be empty");
    }
  }

  static String flat(String partition, String id) {
    return partition + '|' + id;
  }
}
