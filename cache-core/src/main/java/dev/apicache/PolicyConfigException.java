package dev.apicache;

import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * A policy, a policy set or a policy file is invalid. The message names the source, the entry and
 * the reason, so that it can be shown to an operator as it is; {@link #field()} and
 * {@link #reason()} give the same in parts, for a host (such as a Spring Boot application) that
 * reports configuration errors in its own terms.
 *
 * @since 0.1
 */
public class PolicyConfigException extends CacheException {
  private static final long serialVersionUID = 1L;

  private final @Nullable String field;
  private final String reason;

  /** A configuration mistake described by {@code message}. */
  public PolicyConfigException(String message) {
    this(message, null, message, null);
  }

  /** A configuration mistake described by {@code message}, found through {@code cause}. */
  public PolicyConfigException(String message, @Nullable Throwable cause) {
    this(message, null, message, cause);
  }

  PolicyConfigException(String message, @Nullable String field, String reason, @Nullable Throwable cause) {
    super(message, cause);
    this.field = field;
    this.reason = reason;
  }

  /**
   * The field at fault, as a path from the top of the policy document such as
   * {@code policies[2].varyBy} or {@code writes[0]}, when the mistake is in one place.
   */
  public Optional<String> field() {
    return Optional.ofNullable(field);
  }

  /** What is wrong, without the source and the field: the message's last part. */
  public String reason() {
    return reason;
  }
}
