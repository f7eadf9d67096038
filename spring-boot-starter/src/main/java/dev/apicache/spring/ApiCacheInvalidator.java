package dev.apicache.spring;

import static java.util.Objects.requireNonNull;

import dev.apicache.CacheEngine;
import java.util.List;
import org.jspecify.annotations.Nullable;
import org.springframework.transaction.support.TransactionSynchronization;
import org.springframework.transaction.support.TransactionSynchronizationManager;

/**
 * Invalidation that waits for the transaction it is asked in: inside a Spring-managed transaction
 * an event, tag or purge runs right after that transaction commits, and not at all when it rolls
 * back; outside one it runs at once. So a read between a write and its commit, which still sees the
 * old data, cannot leave it cached: the invalidation runs once the new data is there, and a fill
 * that read the old data before it is never stored.
 *
 * <p>With {@code apicache.enabled=false}, or where apicache does not cache (a reactive
 * application), the starter provides {@link #disabled()}, so that code written against this class
 * runs unchanged.
 *
 * @since 0.1
 */
public final class ApiCacheInvalidator {
  private static final boolean TRANSACTIONS =
      isPresent("org.springframework.transaction.support.TransactionSynchronizationManager");

  private final @Nullable CacheEngine engine;
  private final String contextPath;

  /** Invalidation through {@code engine}, for an application served at the server's root. */
  public ApiCacheInvalidator(CacheEngine engine) {
    this(engine, "");
  }

  /**
   * Invalidation through {@code engine}; {@link #purge} URLs are relative to {@code contextPath}
   * (such as {@code /shop}), as the engine's policies are.
   */
  public ApiCacheInvalidator(CacheEngine engine, String contextPath) {
    this.engine = requireNonNull(engine, "engine");
    String path = requireNonNull(contextPath, "contextPath");
    this.contextPath = path.endsWith("/") ? path.substring(0, path.length() - 1) : path;
  }

  private ApiCacheInvalidator() {
    this.engine = null;
    this.contextPath = "";
  }

  /** An invalidator with nothing to invalidate: every call returns at once and does nothing. */
  public static ApiCacheInvalidator disabled() {
    return new ApiCacheInvalidator();
  }

  /** Whether calls reach an engine; false for {@link #disabled()}. */
  public boolean isEnabled() {
    return engine != null;
  }

  /** {@link CacheEngine#invalidate}, after the current transaction commits. */
  public void invalidate(String event) {
    requireNonNull(event, "event");
    if (engine != null) {
      run(() -> engine.invalidate(event));
    }
  }

  /** {@link CacheEngine#invalidateTags}, after the current transaction commits. */
  public void invalidateTags(String... tags) {
    List<String> all = List.of(tags);
    if (engine != null) {
      run(() -> engine.invalidateTags(all));
    }
  }

  /**
   * {@link CacheEngine#purge} of {@code url} (path and query, relative to the context path), after
   * the current transaction commits.
   */
  public void purge(String url) {
    requireNonNull(url, "url");
    if (engine != null) {
      String whole = contextPath + url;
      run(() -> engine.purge(whole));
    }
  }

  private static void run(Runnable invalidation) {
    if (TRANSACTIONS && AfterCommit.register(invalidation)) {
      return;
    }
    invalidation.run();
  }

  /**
   * The one place that names spring-tx's types: loaded only when spring-tx is present, so that an
   * application without it loads this class.
   */
  private static final class AfterCommit {
    private AfterCommit() {}

    static boolean register(Runnable invalidation) {
      if (!TransactionSynchronizationManager.isSynchronizationActive()) {
        return false;
      }
      TransactionSynchronizationManager.registerSynchronization(new TransactionSynchronization() {
        @Override
        public void afterCommit() {
          invalidation.run();
        }
      });
      return true;
    }
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
