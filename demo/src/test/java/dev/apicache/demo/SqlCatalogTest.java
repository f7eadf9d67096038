package dev.apicache.demo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The demo's catalogue in a real database (embedded PostgreSQL, and H2 where PostgreSQL cannot run):
 * the data the demo serves, and the two counts of queries the scenario sets side by side.
 */
class SqlCatalogTest {
  @ParameterizedTest
  @ValueSource(strings = {"embedded", "h2"})
  void theDatabaseCountsTheStatementsTheCatalogueCounts(String spec) {
    try (SqlFixture f = SqlFixture.start(spec, 50)) {
      f.db.startCounting();
      SqlCatalog catalog = f.catalog;
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
      catalog.create("Product new", "toys", 3);
      catalog.delete(2);

      assertEquals(14, catalog.queries());
      assertEquals(8, catalog.firstReads(), "products 1 and 2, three lists, two configs, the categories");
      catalog.close(); // a PostgreSQL session reports its statistics by the time it ends
      assertEquals(14, f.db.statementsSettled(), "the database's own count, " + f.db.description());
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"embedded", "h2"})
  void servesWhatTheInMemoryCatalogueServes_andWritesLand(String spec) {
    try (SqlFixture f = SqlFixture.start(spec, 200)) {
      MemoryCatalog memory = new MemoryCatalog(200);
      for (String category : List.of("books", "pets")) {
        for (int page = 1; page <= 2; page++) {
          assertEquals(memory.list(Optional.of(category), page), f.catalog.list(Optional.of(category), page));
        }
      }
      assertEquals(memory.list(Optional.empty(), 3), f.catalog.list(Optional.empty(), 3));
      assertEquals(memory.categories(), f.catalog.categories());
      assertEquals(memory.config("tenant-3"), f.catalog.config("tenant-3"));

      assertEquals(201, f.catalog.create("Product new", "toys", 3.5).id(), "ids go on after the initial products");
      assertEquals(Optional.of(new ProductCatalog.Product(201, "Product new", "toys", 3.5)), f.catalog.get(201));
      assertEquals(1234.5, f.catalog.update(7, "Product 7", "pets", 1234.5).orElseThrow().price());
      assertEquals(1234.5, f.catalog.get(7).orElseThrow().price());
      assertTrue(f.catalog.delete(7));
      assertEquals(Optional.empty(), f.catalog.get(7));
      assertEquals(Optional.empty(), f.catalog.update(7, "Product 7", "pets", 1));
    }
  }

  /** Where embedded PostgreSQL cannot run, the demo says so in one line and runs on embedded H2. */
  @org.junit.jupiter.api.Test
  void aMachineWithoutPostgres_getsH2_andOneLineSayingSo() {
    java.io.ByteArrayOutputStream printed = new java.io.ByteArrayOutputStream();
    try (DemoDatabase db = DemoDatabase.open("embedded", new java.io.PrintStream(printed, true,
        java.nio.charset.StandardCharsets.UTF_8), () -> {
          throw new java.io.IOException("initdb: cannot be run here");
        })) {
      String said = printed.toString(java.nio.charset.StandardCharsets.UTF_8);
      assertEquals(1, said.lines().count(), said);
      assertTrue(said.contains("embedded PostgreSQL cannot run here (initdb: cannot be run here); using embedded H2"),
          said);
      assertTrue(db.description().startsWith("embedded H2"), db.description());
      SqlCatalog.prepare(db.jdbcUrl(), 10, true);
      try (SqlCatalog catalog = SqlCatalog.open(db.jdbcUrl(), 2)) {
        assertEquals(10, catalog.list(Optional.empty(), 1).size());
      }
    }
  }

  /** Replicas starting together over one empty database fill it once and agree on its generation. */
  @ParameterizedTest
  @ValueSource(ints = {1, 2, 3})
  void replicasPreparingTogether_fillTheDatabaseOnce(int round) throws Exception {
    try (DemoDatabase db = DemoDatabase.open("embedded", System.out)) {
      int replicas = 4;
      ExecutorService pool = Executors.newFixedThreadPool(replicas);
      CountDownLatch go = new CountDownLatch(1);
      List<Future<String>> generations = new ArrayList<>();
      for (int i = 0; i < replicas; i++) {
        generations.add(pool.submit(() -> {
          go.await();
          return SqlCatalog.prepare(db.jdbcUrl(), 100, false);
        }));
      }
      go.countDown();
      Set<String> seen = new HashSet<>();
      for (Future<String> g : generations) {
        seen.add(g.get(60, TimeUnit.SECONDS));
      }
      pool.shutdown();
      assertEquals(1, seen.size(), "round " + round + ": one generation for all: " + seen);
      try (SqlCatalog catalog = SqlCatalog.open(db.jdbcUrl(), 2)) {
        assertEquals(100, catalog.list(Optional.empty(), 5).get(19).id(), "the 100 products, once each");
        assertEquals(List.of(), catalog.list(Optional.empty(), 6));
      }
      String same = SqlCatalog.prepare(db.jdbcUrl(), 100, false);
      assertEquals(seen.iterator().next(), same, "a replica joining later keeps the data and its generation");
      assertNotEquals(same, SqlCatalog.prepare(db.jdbcUrl(), 100, true), "a refill is a new generation");
    }
  }
}
