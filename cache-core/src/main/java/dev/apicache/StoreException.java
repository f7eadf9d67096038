package dev.apicache;

import org.jspecify.annotations.Nullable;

/**
 * A store operation failed. The engine catches it, counts it and serves from the origin; it reaches
 * callers only from direct store use.
 *
 * @since 0.1
 */
public class StoreException extends CacheException {
  private static final long serialVersionUID = 1L;

  /** A failure described by {@code message}. */
  public StoreException(String message) {
    super(message);
  }

  /** A failure described by {@code message}, caused by {@code cause}. */
  public StoreException(String message, @Nullable Throwable cause) {
    super(message, cause);
  }
}
