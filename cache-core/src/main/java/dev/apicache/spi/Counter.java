package dev.apicache.spi;

/**
 * The name of a generation counter in a store: the partition it lives in and its id there. An entry and every
 * counter of its fence share a partition, so a distributed store can keep them together (one Redis
 * Cluster slot) and check a fence in one step; a store reads the partition from here and never
 * parses a name. The engine builds every name; stores only compare, hash and store them.
 *
 * @param partition a readable, bounded form of a policy's id, without {@code |}
 * @param id unique within the partition
 *
 * @since 0.1
 */
public record Counter(String partition, String id) {
  /** Requires a non-empty partition without {@code |} and a non-empty id. */
  public Counter {
    Names.check(partition, id);
  }

  /**
   * {@code partition|id}: one string per name, distinct for distinct names (the partition has no
   * {@code |}), for stores that keep names in one flat namespace.
   */
  public String flat() {
    return Names.flat(partition, id);
  }

  // written out rather than generated: every store lookup compares names, and this is the fast path
  @Override
  public boolean equals(Object o) {
    return o == this || o instanceof Counter other && id.equals(other.id) && partition.equals(other.partition);
  }

  @Override
  public int hashCode() {
    return 31 * partition.hashCode() + id.hashCode();
  }

  @Override
  public String toString() {
    return flat();
  }
}
