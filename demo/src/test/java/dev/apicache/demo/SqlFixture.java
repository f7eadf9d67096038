package dev.apicache.demo;

import java.io.PrintStream;

/** An embedded PostgreSQL of a test's own, with the catalogue's tables filled and a pool over them. */
final class SqlFixture implements AutoCloseable {
  final DemoDatabase db;
  final SqlCatalog catalog;

  private SqlFixture(DemoDatabase db, SqlCatalog catalog) {
    this.db = db;
    this.catalog = catalog;
  }

  static SqlFixture start(String spec, int products) {
    DemoDatabase db = DemoDatabase.open(spec, new PrintStream(System.out, true));
    try {
      SqlCatalog.prepare(db.jdbcUrl(), products, true);
      return new SqlFixture(db, SqlCatalog.open(db.jdbcUrl(), 4));
    } catch (RuntimeException e) {
      db.close();
      throw e;
    }
  }

  static SqlFixture start(int products) {
    return start("embedded", products);
  }

  @Override
  public void close() {
    catalog.close();
    db.close();
  }
}
