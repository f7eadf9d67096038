package dev.apicache.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.LockSupport;

/**
 * The demo's "database": products in memory, where every query costs about a millisecond, as a
 * round trip to a real database would, and is counted.
 */
final class ProductCatalog {
  static final List<String> CATEGORIES = List.of("books", "music", "garden", "toys", "kitchen", "sports", "tools",
      "games", "office", "pets");
  static final int PAGE_SIZE = 20;

  /** A product as stored and as served. */
  record Product(int id, String name, String category, double price) {}

  private final ConcurrentSkipListMap<Integer, Product> products = new ConcurrentSkipListMap<>();
  private final AtomicInteger nextId = new AtomicInteger();
  private final LongAdder queries = new LongAdder();
  /** What has been read at least once: the first read of each is a cold cache's cost, not a refill. */
  private final Set<String> read = ConcurrentHashMap.newKeySet();
  private final long queryCostNanos;

  ProductCatalog(int size, long queryCostNanos) {
    this.queryCostNanos = queryCostNanos;
    Random random = new Random(42);
    for (int i = 1; i <= size; i++) {
      String category = CATEGORIES.get(i % CATEGORIES.size());
      products.put(i, new Product(i, "Product " + i, category, 1 + random.nextInt(9_800) / 100.0));
    }
    nextId.set(size);
  }

  long queries() {
    return queries.sum();
  }

  /** How many distinct things were read: the queries any cache must send once, however good. */
  long firstReads() {
    return read.size();
  }

  private void read(String what) {
    read.add(what);
    query();
  }

  private void query() {
    queries.increment();
    if (queryCostNanos > 0) {
      LockSupport.parkNanos(queryCostNanos); // the simulated cost of a database round trip
    }
  }

  List<Product> list(Optional<String> category, int page) {
    read("list " + category.orElse("") + " " + page);
    List<Product> out = new ArrayList<>(PAGE_SIZE);
    int skip = Math.max(0, page - 1) * PAGE_SIZE;
    for (Product p : products.values()) {
      if (category.isPresent() && !category.get().equals(p.category())) {
        continue;
      }
      if (skip > 0) {
        skip--;
        continue;
      }
      out.add(p);
      if (out.size() == PAGE_SIZE) {
        break;
      }
    }
    return out;
  }

  Optional<Product> get(int id) {
    read("product " + id);
    return Optional.ofNullable(products.get(id));
  }

  Product create(String name, String category, double price) {
    query();
    int id = nextId.incrementAndGet();
    Product p = new Product(id, name, category, price);
    products.put(id, p);
    return p;
  }

  Optional<Product> update(int id, String name, String category, double price) {
    query();
    return Optional.ofNullable(products.computeIfPresent(id, (k, old) -> new Product(id, name, category, price)));
  }

  boolean delete(int id) {
    query();
    return products.remove(id) != null;
  }

  List<String> categories() {
    read("categories");
    return CATEGORIES;
  }

  Map<String, Object> config(String tenant) {
    read("config " + tenant);
    return Map.of("tenant", tenant, "currency", tenant.hashCode() % 2 == 0 ? "EUR" : "USD", "pageSize", PAGE_SIZE,
        "features", List.of("search", "reviews"));
  }
}
