package dev.apicache.demo;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The catalogue in memory, with no database behind it: what the ceiling servers and the footprint
 * measurement use to produce the very bytes the demo serves, without running a database.
 */
final class MemoryCatalog extends CountingCatalog {
  private final ConcurrentSkipListMap<Integer, Product> products = new ConcurrentSkipListMap<>();
  private final AtomicInteger nextId = new AtomicInteger();

  MemoryCatalog(int size) {
    for (Product p : ProductCatalog.initialProducts(size)) {
      products.put(p.id(), p);
    }
    nextId.set(size);
  }

  private void read(String what) {
    reading(what);
    queries.increment();
  }

  @Override
  public List<Product> list(Optional<String> category, int page) {
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

  @Override
  public Optional<Product> get(int id) {
    read("product " + id);
    return Optional.ofNullable(products.get(id));
  }

  @Override
  public Product create(String name, String category, double price) {
    queries.increment();
    int id = nextId.incrementAndGet();
    Product p = new Product(id, name, category, price);
    products.put(id, p);
    return p;
  }

  @Override
  public Optional<Product> update(int id, String name, String category, double price) {
    queries.increment();
    return Optional.ofNullable(products.computeIfPresent(id, (k, old) -> new Product(id, name, category, price)));
  }

  @Override
  public boolean delete(int id) {
    queries.increment();
    return products.remove(id) != null;
  }

  @Override
  public List<String> categories() {
    read("categories");
    Set<String> names = new TreeSet<>();
    products.values().forEach(p -> names.add(p.category()));
    return List.copyOf(names);
  }

  @Override
  public Map<String, Object> config(String tenant) {
    read("config " + tenant);
    return ProductCatalog.config(tenant, ProductCatalog.defaultCurrency(tenant));
  }

  @Override
  public void close() {}
}
