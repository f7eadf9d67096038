package dev.apicache.spring;

import static java.util.Objects.requireNonNull;

import dev.apicache.CacheEngine;
import java.util.List;
import org.springframework.transaction.support.TransactionSynchronization;
import org.springframework.transaction.support.TransactionSynchronizationManager;

/**
 * Invalidation that waits for the transaction it is asked in: inside a Spring-managed transaction
 * an event, tag or purge runs right after that transaction commits, and not at all when it rolls
 * back; outside one it runs at once. So a read between a write and its commit, which still sees the
 * old data, cannot leave it cached: the invalidation runs once the new data is there, and a fill
 * that read the old data before it is never stored.
 */
public final class ApiCacheInvalidator {
  private static final boolean TRANSACTIONS = isPresent("org.springframework.transaction.support.TransactionSynchronizationManager");

  private final CacheEngine engine;

  /** Invalidation through {@code engine}. */
  public ApiCacheInvalidator(CacheEngine engine) {
    this.engine = requireNonNull(engine, "engine");
  }

  /** {@link CacheEngine#invalidate}, after the current transaction commits. */
  public void invalidate(String event) {
    requireNonNull(event, "event");
    run(() -> engine.invalidate(event));
  }

  /** {@link CacheEngine#invalidateTags}, after the current transaction commits. */
  public void invalidateTags(String... tags) {
    List<String> all = List.of(tags);
    run(() -> engine.invalidateTags(all));
  }

  /** {@link CacheEngine#purge}, after the current transaction commits. */
  public void purge(String url) {
    requireNonNull(url, "url");
    run(() -> engine.purge(url));
  }

  private static void run(Runnable invalidation) {
    if (TRANSACTIONS && TransactionSynchronizationManager.isSynchronizationActive()) {
      TransactionSynchronizationManager.registerSynchronization(new TransactionSynchronization() {
        @Override
        public void afterCommit() {
          invalidation.run();
        }
      });
      return;
    }
    invalidation.run();
  }

  private static boolean isPresent(String className) {
    try {
      Class.forName(className, false, ApiCacheInvalidator.class.getClassLoader());
      return true;
    } catch (ClassNotFoundException | LinkageError e) {
      return false;
    }
  }
}
