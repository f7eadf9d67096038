package dev.apicache.demo;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.Set;

/**
 * The demo's product catalogue: what the API reads and writes, one database statement per call,
 * counted by the catalogue itself so that its count can be set beside the database's own.
 */
interface ProductCatalog extends AutoCloseable {
  List<String> CATEGORIES = List.of("books", "music", "garden", "toys", "kitchen", "sports", "tools", "games", "office",
      "pets");
  int PAGE_SIZE = 20;

  /** A product as stored and as served. */
  record Product(int id, String name, String category, double price) {}

  /** The {@code size} products every catalogue starts with, the same on every run and every node. */
  static List<Product> initialProducts(int size) {
    Random random = new Random(42);
    List<Product> out = new ArrayList<>(size);
    for (int i = 1; i <= size; i++) {
      out.add(new Product(i, "Product " + i, CATEGORIES.get(i % CATEGORIES.size()), 1 + random.nextInt(9_800) / 100.0));
    }
    return out;
  }

  /** The currency a tenant without a row of its own is served in. */
  static String defaultCurrency(String tenant) {
    return tenant.hashCode() % 2 == 0 ? "EUR" : "USD";
  }

  /** A tenant's configuration as served. */
  static Map<String, Object> config(String tenant, String currency) {
    return Map.of("tenant", tenant, "currency", currency, "pageSize", PAGE_SIZE, "features",
        List.of("search", "reviews"));
  }

  /** Page {@code page} (from 1) of the products, of one category or of all, in id order. */
  List<Product> list(Optional<String> category, int page);

  Optional<Product> get(int id);

  Product create(String name, String category, double price);

  Optional<Product> update(int id, String name, String category, double price);

  boolean delete(int id);

  /** The categories that have products, in name order. */
  List<String> categories();

  Map<String, Object> config(String tenant);

  /** Statements this catalogue sent to its database so far. */
  long queries();

  /**
   * What has been read at least once ("product 7", "list books 1"): the first read of each is a cold
   * cache's cost, paid once however good the cache, not a refill.
   */
  Set<String> readOnce();

  /** How many distinct things were read: {@code readOnce().size()}. */
  default long firstReads() {
    return readOnce().size();
  }

  @Override
  void close();
}
