package dev.apicache;

/**
 * A policy, a policy set or a policy file is invalid. The message names the source, the entry and
 * the reason, so that it can be shown to an operator as it is.
 */
public class PolicyConfigException extends CacheException {
  private static final long serialVersionUID = 1L;

  /** A configuration mistake described by {@code message}. */
  public PolicyConfigException(String message) {
    super(message);
  }

  /** A configuration mistake described by {@code message}, found through {@code cause}. */
  public PolicyConfigException(String message, Throwable cause) {
    super(message, cause);
  }
}
