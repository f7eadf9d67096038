package dev.apicache;

/**
 * A store operation did not complete within its timeout.
 *
 * @since 0.1
 */
public class StoreTimeoutException extends StoreException {
  private static final long serialVersionUID = 1L;

  /** A store call that took longer than allowed, described by {@code message}. */
  public StoreTimeoutException(String message) {
    super(message);
  }
}
