package dev.apicache.spring;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.apicache.CacheEngine;
import dev.apicache.CachePolicies;
import dev.apicache.CachePolicy;
import dev.apicache.CacheRequest;
import dev.apicache.CacheResponse;
import dev.apicache.store.caffeine.CaffeineStore;
import java.time.Duration;
import java.util.UUID;
import org.h2.jdbcx.JdbcDataSource;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.datasource.DataSourceTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Invalidation inside real transactions over a real (in-memory H2) database: it waits for the
 * commit, and a rollback drops it; the cached row is the one the database holds.
 */
class ApiCacheInvalidatorTest {
  private final JdbcDataSource db = new JdbcDataSource();
  private final CacheEngine engine;
  private final JdbcTemplate jdbc;
  private final TransactionTemplate transactions;
  private final ApiCacheInvalidator invalidator;

  ApiCacheInvalidatorTest() {
    db.setURL("jdbc:h2:mem:" + UUID.randomUUID() + ";DB_CLOSE_DELAY=-1");
    jdbc = new JdbcTemplate(db);
    jdbc.execute("create table product (id int primary key, name varchar(64))");
    jdbc.update("insert into product values (1, 'old name')");
    transactions = new TransactionTemplate(new DataSourceTransactionManager(db));
    engine = CacheEngine.builder(CachePolicies.builder()
        .add(CachePolicy.forRoute("/api/products/{id}").ttl(Duration.ofMinutes(5)).invalidateOn("product.updated")
            .build()).build(), CaffeineStore.builder().build()).build();
    invalidator = new ApiCacheInvalidator(engine);
  }

  @AfterEach
  void close() {
    engine.close();
    jdbc.execute("shutdown");
  }

  /** The product as the API would serve it: read from the database on a miss. */
  private String read() {
    return engine.handle(CacheRequest.get("/api/products/1"), r -> CacheResponse.builder(200)
        .body(jdbc.queryForObject("select name from product where id = 1", String.class)).build()).body().utf8();
  }

  @Test
  void insideATransaction_theInvalidationWaitsForTheCommit() {
    assertEquals("old name", read());
    transactions.executeWithoutResult(status -> {
      jdbc.update("update product set name = 'new name' where id = 1");
      invalidator.invalidate("product.updated");
      assertEquals("old name", read(), "not invalidated yet: the update is not committed");
    });
    assertEquals("new name", read(), "invalidated at the commit");
  }

  @Test
  void aRolledBackTransaction_invalidatesNothing() {
    assertEquals("old name", read());
    assertThrows(IllegalStateException.class, () -> transactions.executeWithoutResult(status -> {
      jdbc.update("update product set name = 'new name' where id = 1");
      invalidator.purge("/api/products/1");
      throw new IllegalStateException("the write fails");
    }));
    assertEquals("HIT", engine.handle(CacheRequest.get("/api/products/1"), r -> {
      throw new AssertionError("still cached");
    }).headers().first("X-Cache").orElseThrow());
  }

  @Test
  void outsideATransaction_itRunsAtOnce() {
    assertEquals("old name", read());
    jdbc.update("update product set name = 'new name' where id = 1");
    invalidator.invalidateTags(); // no tags: nothing to do, and no error
    invalidator.purge("/api/products/1");
    assertEquals("new name", read());
  }
}
