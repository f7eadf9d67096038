package dev.apicache;

/**
 * Why a request goes to the origin without the cache. Each reason has a stable token, used in the
 * {@code Cache-Status} field's {@code detail} and as the key of {@link CacheStats.Counts#bypassReasons()}.
 *
 * @since 0.1
 */
public enum BypassReason {
  /** A method not known to be safe (POST, PUT, PATCH, DELETE, an unknown one): it runs untouched and may invalidate. */
  UNSAFE_METHOD("unsafe-method"),
  /** A safe method the cache never answers (OPTIONS, TRACE, PROPFIND, ...). */
  METHOD("method"),
  /** Path and query longer than the engine's {@code maxTargetLength}. */
  OVERSIZE_URL("oversize-url"),
  /** Bytes outside printable ASCII, a broken escape or a relative path. */
  INVALID_PATH("invalid-path"),
  /** A dot segment, or an empty one, whose meaning frameworks disagree on. */
  AMBIGUOUS_PATH("ambiguous-path"),
  /** A path not in canonical spelling (trailing slash, {@code ;}, {@code \}, needless escapes). */
  NON_CANONICAL_PATH("non-canonical-path"),
  /** A query that is not printable ASCII or not valid UTF-8 once decoded. */
  INVALID_QUERY("invalid-query"),
  /** No policy's route matches. */
  NO_POLICY("no-policy"),
  /** The matching policy caches nothing ({@code ttl: 0}). */
  TTL_0("ttl-0"),
  /** A route variable's value its type refuses. */
  INVALID_VARIABLE("invalid-variable"),
  /** {@code Authorization} on a policy that is neither shared nor keyed on a function. */
  AUTHORIZATION("authorization"),
  /** A {@code Range} request. */
  RANGE("range"),
  /** A {@code Host} that is not an authority, or more than one. */
  INVALID_HOST("invalid-host"),
  /** A keyed header value with control characters. */
  INVALID_HEADER("invalid-header"),
  /** The policy's key function threw. */
  KEY_FUNCTION_ERROR("key-function-error"),
  /** The policy's key function found no key for the request. */
  NO_KEY("no-key"),
  /**
   * An invalidation of the policy that the store has not recorded yet is being retried: until it is,
   * this node answers the policy from the origin.
   */
  INVALIDATION_PENDING("invalidation-pending"),
  /**
   * An origin-directed request with {@code only-if-cached} and nothing stored that fits: answered
   * 504 without the origin.
   */
  ONLY_IF_CACHED("only-if-cached");

  private final String token;

  BypassReason(String token) {
    this.token = token;
  }

  /** The stable token: lower case, hyphenated, as in {@code Cache-Status} and the stats. */
  public String token() {
    return token;
  }

  /**
   * Whether the method alone requires forwarding (RFC 9211's {@code fwd=method}) rather than
   * configuration or the request's shape ({@code fwd=bypass}).
   */
  public boolean isMethod() {
    return this == UNSAFE_METHOD || this == METHOD;
  }
}
