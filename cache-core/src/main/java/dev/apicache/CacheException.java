package dev.apicache;

import org.jspecify.annotations.Nullable;

/**
 * The root of every exception apicache throws. Unchecked.
 *
 * @since 0.1
 */
public class CacheException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  /** A failure described by {@code message}. */
  public CacheException(String message) {
    super(message);
  }

  /** A failure described by {@code message}, caused by {@code cause}. */
  public CacheException(String message, @Nullable Throwable cause) {
    super(message, cause);
  }
}
