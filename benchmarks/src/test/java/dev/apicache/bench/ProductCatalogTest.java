package dev.apicache.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The demo database's counters, which the scenario's figures rest on. */
class ProductCatalogTest {
  @Test
  void everyQueryCounts_butOnlyTheFirstReadOfAnItemIsAFirstRead() {
    ProductCatalog catalog = new ProductCatalog(50, 0);
    catalog.get(1);
    catalog.get(1);
    catalog.get(2);
    catalog.list(Optional.of("books"), 1);
    catalog.list(Optional.of("books"), 1);
    catalog.list(Optional.of("books"), 2);
    catalog.list(Optional.empty(), 1);
    catalog.config("tenant-1");
    catalog.config("tenant-2");
    catalog.categories();
    catalog.categories();
    catalog.update(1, "Product 1", "books", 2000);

    assertEquals(12, catalog.queries());
    assertEquals(8, catalog.firstReads(), "products 1 and 2, three lists, two configs, the categories");
  }
}
