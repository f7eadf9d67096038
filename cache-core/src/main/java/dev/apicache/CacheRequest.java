package dev.apicache;

import static java.util.Objects.requireNonNull;

import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * An immutable snapshot of an HTTP request, taken by an adapter from its framework's request.
 *
 * <p>The path and query are kept raw, as received; the engine normalises them for keys and matching.
 * Attributes carry what the application learned about the request before the cache saw it (the
 * authenticated principal, a tenant): key functions read them; they are never sent anywhere.
 * Thread-safe, and safe to keep after the framework's request is gone, which background
 * revalidation relies on.
 *
 * @since 0.1
 */
public final class CacheRequest {
  private final String method;
  private final String scheme;
  private final String path;
  private final String rawQuery;
  private final Headers headers;
  private final Map<String, Object> attributes;
  private final Bytes body;

  private CacheRequest(Builder b) {
    this.method = b.method;
    this.scheme = b.scheme;
    this.path = b.path;
    this.rawQuery = b.rawQuery;
    this.headers = b.headers.build();
    this.attributes = Map.copyOf(b.attributes);
    this.body = b.body;
  }

  /**
   * A builder for a request with {@code method} and a request target {@code pathAndQuery} such as
   * {@code /api/products?page=2}.
   */
  public static Builder builder(String method, String pathAndQuery) {
    requireNonNull(pathAndQuery, "pathAndQuery");
    int q = pathAndQuery.indexOf('?');
    return q < 0
        ? new Builder(method, pathAndQuery, "")
        : new Builder(method, pathAndQuery.substring(0, q), pathAndQuery.substring(q + 1));
  }

  /** A GET of {@code pathAndQuery} with no headers. */
  public static CacheRequest get(String pathAndQuery) {
    return builder("GET", pathAndQuery).build();
  }

  /** The method, upper case. */
  public String method() {
    return method;
  }

  /**
   * The scheme the request arrived over, {@code http} (the default) or {@code https}: with the
   * {@code Host} header it names the origin, whose default port the key leaves out.
   */
  public String scheme() {
    return scheme;
  }

  /** The raw path, without the query. */
  public String path() {
    return path;
  }

  /** The raw query without the {@code ?}; empty when there is none. */
  public String rawQuery() {
    return rawQuery;
  }

  /** The path and, when present, {@code ?} and the query, as received. */
  public String target() {
    return rawQuery.isEmpty() ? path : path + '?' + rawQuery;
  }

  /** The request headers, names as sent, in order. */
  public Headers headers() {
    return headers;
  }

  /** An attribute the application attached to the request, if present. */
  public Optional<Object> attribute(String name) {
    return Optional.ofNullable(attributes.get(name));
  }

  /** The request body; empty for GET and HEAD. */
  public Bytes body() {
    return body;
  }

  /** A builder that starts from this request. */
  public Builder toBuilder() {
    Builder b = new Builder(method, path, rawQuery);
    b.scheme = scheme;
    b.headers = headers.toBuilder();
    b.attributes.putAll(attributes);
    b.body = body;
    return b;
  }

  @Override
  public String toString() {
    return method + ' ' + target();
  }

  /** Builds a {@link CacheRequest}; not thread-safe. */
  public static final class Builder {
    private String method;
    private String scheme = "http";
    private final String path;
    private final String rawQuery;
    private Headers.Builder headers = Headers.builder();
    private final Map<String, Object> attributes = new HashMap<>();
    private Bytes body = Bytes.empty();

    private Builder(String method, String path, String rawQuery) {
      requireNonNull(method, "method");
      requireNonNull(path, "path");
      if (method.isEmpty()) {
        throw new IllegalArgumentException("method must not be empty");
      }
      this.method = method.toUpperCase(Locale.ROOT);
      this.path = path;
      this.rawQuery = rawQuery;
    }

    /** Replaces the method. */
    public Builder method(String name) {
      requireNonNull(name, "name");
      if (name.isEmpty()) {
        throw new IllegalArgumentException("method must not be empty");
      }
      method = name.toUpperCase(Locale.ROOT);
      return this;
    }

    /** Sets the scheme: {@code http} or {@code https}, in any case. */
    public Builder scheme(String name) {
      String lower = requireNonNull(name, "name").toLowerCase(Locale.ROOT);
      if (!lower.equals("http") && !lower.equals("https")) {
        throw new IllegalArgumentException("scheme must be http or https but was '" + name + "'");
      }
      scheme = lower;
      return this;
    }

    /** Appends a header field. */
    public Builder header(String name, String value) {
      headers.add(name, value);
      return this;
    }

    /** Replaces all header fields. */
    public Builder headers(Headers all) {
      headers = all.toBuilder();
      return this;
    }

    /** Removes every field named {@code name}. */
    public Builder removeHeader(String name) {
      headers.remove(name);
      return this;
    }

    /** Attaches an attribute for key functions; see {@link KeyFunction}. */
    public Builder attribute(String name, Object value) {
      attributes.put(requireNonNull(name, "name"), requireNonNull(value, "value"));
      return this;
    }

    /** The request body; empty by default. */
    public Builder body(Bytes content) {
      body = requireNonNull(content, "content");
      return this;
    }

    /** The request. */
    public CacheRequest build() {
      return new CacheRequest(this);
    }
  }
}
