package dev.apicache;

import java.util.Locale;

/**
 * One declared part of a policy's cache key beyond the path.
 *
 * <p>Parsed from the policy file's {@code varyBy} entries: a plain name is a query parameter
 * ({@code category}, or explicitly {@code query:category}), {@code query:*} the whole query as
 * sent, {@code header:X-Tenant-Id} a request header, and {@code key:tenant} a registered
 * {@link KeyFunction}. Each source is read only from
 * where it is declared: a query parameter is never taken from a header, so a client cannot pick
 * another variant by sending a header the policy does not name.
 *
 * @since 0.1
 */
public sealed interface VaryBy permits VaryBy.QueryParam, VaryBy.WholeQuery, VaryBy.Header, VaryBy.Key {

  /** Parses {@code name}, {@code query:name}, {@code query:*}, {@code header:Name} or {@code key:name}. */
  static VaryBy parse(String spec) {
    if (spec == null || spec.isBlank()) {
      throw new IllegalArgumentException("varyBy entry must not be empty");
    }
    int colon = spec.indexOf(':');
    String kind = colon < 0 ? "query" : spec.substring(0, colon).trim().toLowerCase(Locale.ROOT);
    String name = (colon < 0 ? spec : spec.substring(colon + 1)).trim();
    if (name.isEmpty()) {
      throw new IllegalArgumentException("varyBy entry '" + spec + "' has no name");
    }
    switch (kind) {
      case "query":
        return name.equals("*") ? new WholeQuery() : new QueryParam(name);
      case "header":
        return new Header(name);
      case "key":
        return new Key(name);
      default:
        throw new IllegalArgumentException(
            "varyBy entry '" + spec + "' has unknown kind '" + kind + "' (expected query:, header: or key:)");
    }
  }

  /** The name of the parameter, header or key function. */
  String name();

  /** A query parameter, compared after percent-decoding. */
  record QueryParam(String name) implements VaryBy {
    /** Requires a non-empty name. */
    public QueryParam {
      requireToken(name);
    }

    @Override
    public String toString() {
      return name;
    }
  }

  /**
   * The whole query string, byte for byte as sent: for a service whose parameters the policy does
   * not list (the proxy's default), so two queries that differ in any way never share an entry.
   */
  record WholeQuery() implements VaryBy {
    @Override
    public String name() {
      return "*";
    }

    @Override
    public String toString() {
      return "query:*";
    }
  }

  /** A request header; its name is case-insensitive, its values are compared as sent. */
  record Header(String name) implements VaryBy {
    /** Requires a valid header name (an RFC 9110 token). */
    public Header {
      requireToken(name);
      if (!name.chars().allMatch(Header::isTokenChar)) {
        throw new IllegalArgumentException("'" + name + "' is not a valid header name");
      }
    }

    private static boolean isTokenChar(int c) {
      return c > 32 && c < 127 && "()<>@,;:\\\"/[]?={}".indexOf(c) < 0;
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof Header h && h.name.equalsIgnoreCase(name);
    }

    @Override
    public int hashCode() {
      return name.toLowerCase(Locale.ROOT).hashCode();
    }

    @Override
    public String toString() {
      return "header:" + name;
    }
  }

  /** A registered {@link KeyFunction}. */
  record Key(String name) implements VaryBy {
    /** Requires a non-empty name. */
    public Key {
      requireToken(name);
    }

    @Override
    public String toString() {
      return "key:" + name;
    }
  }

  private static void requireToken(String name) {
    if (name == null || name.isBlank()) {
      throw new IllegalArgumentException("varyBy name must not be empty");
    }
  }
}
