package dev.apicache;

import static java.util.Objects.requireNonNull;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * How one route is cached: its freshness times, what its key varies on, which events and tags
 * invalidate it, and what clients are told. Immutable and validated on construction; its
 * {@link #id()} is its route pattern.
 *
 * <p>A policy with a zero {@link #ttl()} is a declared bypass: its requests always go to the origin.
 *
 * @since 0.1
 */
public final class CachePolicy {
  /** The client directive sent with cached responses unless a policy says otherwise. */
  public static final String DEFAULT_CLIENT_CACHE_CONTROL = "no-cache";
  /** The largest body a policy stores unless it says otherwise. */
  public static final long DEFAULT_MAX_BODY_BYTES = 1L << 20;

  private static final Pattern TAG_VARIABLE = Pattern.compile("\\{([^{}]*)}");

  private final Route route;
  private final Set<String> methods;
  private final Duration ttl;
  private final Duration staleWhileRevalidate;
  private final Duration staleIfError;
  private final List<VaryBy> varyBy;
  private final Set<String> invalidateOn;
  private final List<String> tags;
  private final String clientCacheControl;
  private final long maxBodyBytes;
  private final boolean shared;
  private final boolean shareAcrossHosts;
  private final @Nullable OriginLimits originLimits;
  private final @Nullable Compression compression;
  private final String partition;
  /** Named once: every request of the policy reads them. */
  final dev.apicache.spi.Counter policyCounter;
  final dev.apicache.spi.Counter softPolicyCounter;

  private CachePolicy(Builder b, Route route) {
    this.route = route;
    this.partition = CacheKey.partitionOf(route.toString());
    this.policyCounter = new dev.apicache.spi.Counter(partition, "p:" + route);
    this.softPolicyCounter = new dev.apicache.spi.Counter(partition, "sp:" + route);
    this.methods = Set.copyOf(b.methods);
    this.ttl = b.ttl;
    this.staleWhileRevalidate = b.staleWhileRevalidate;
    this.staleIfError = b.staleIfError;
    this.varyBy = List.copyOf(b.varyBy);
    this.invalidateOn = Set.copyOf(b.invalidateOn);
    this.tags = List.copyOf(b.tags);
    this.clientCacheControl = b.clientCacheControl;
    this.maxBodyBytes = b.maxBodyBytes;
    this.shared = b.shared;
    this.shareAcrossHosts = b.shareAcrossHosts;
    this.originLimits = b.originLimits;
    this.compression = b.compression;
  }

  /** How stored bodies are compressed; empty when they are stored as they came. */
  public Optional<Compression> compression() {
    return Optional.ofNullable(compression);
  }

  /**
   * A builder for the policy of {@code route}: exact ({@code /a/b}), a template ({@code /a/{id}}), or a
   * prefix ({@code /a/**}). A variable may declare a type that spells equal values one way for the
   * key, the tags and the purge: {@code {id:int}} (an optional sign and decimal digits, so
   * {@code 012}, {@code +12} and {@code 12} are one entry), {@code {id:uuid}} (8-4-4-4-12 hex, any
   * case) or {@code {name:slug}} (ASCII letters, digits, {@code - . _ ~}, case-insensitive). Declare a
   * type only where the application reads the segment that way; a value the type refuses is sent to
   * the application uncached.
   */
  public static Builder forRoute(String route) {
    return new Builder(route);
  }

  /** The route pattern, which also identifies the policy. */
  public String id() {
    return route.toString();
  }

  Route route() {
    return route;
  }

  /** Where this policy's entries and counters live together in a store; each key and counter of the policy carries it. */
  String partition() {
    return partition;
  }

  /** The methods served from the cache: GET, and HEAD with it. */
  public Set<String> methods() {
    return methods;
  }

  /** How long a stored response is fresh; zero means the route is never cached. */
  public Duration ttl() {
    return ttl;
  }

  /** How long after {@link #ttl()} a response is still served while it is revalidated in the background. */
  public Duration staleWhileRevalidate() {
    return staleWhileRevalidate;
  }

  /** How long after {@link #ttl()} a response may be served when the origin fails. */
  public Duration staleIfError() {
    return staleIfError;
  }

  /** What the key varies on beyond the path, in key order. */
  public List<VaryBy> varyBy() {
    return varyBy;
  }

  /** The events that invalidate every response of this policy. */
  public Set<String> invalidateOn() {
    return invalidateOn;
  }

  /** Tag templates over the route's variables, such as {@code product:{id}}. */
  public List<String> tags() {
    return tags;
  }

  /** The {@code Cache-Control} sent to clients with responses from this policy. */
  public String clientCacheControl() {
    return clientCacheControl;
  }

  /** The largest body stored; larger responses are served but not stored. */
  public long maxBodyBytes() {
    return maxBodyBytes;
  }

  /**
   * True when responses may be shared between callers even if a request carries {@code Authorization}
   * (the route's data is the same for every caller). Policies that vary on a key function are
   * shared per key value without this flag.
   */
  public boolean shared() {
    return shared;
  }

  /**
   * True when one entry serves every host name the service answers; false (the default) keys
   * entries on the request's normalised {@code Host} (lower case, default port dropped), so a
   * service that answers several host names (tenants by subdomain) never shares their responses.
   * Purges ignore the host either way: a write through one host name drops the URL for all.
   */
  public boolean shareAcrossHosts() {
    return shareAcrossHosts;
  }

  /** True when requests of this policy always go to the origin. */
  public boolean bypasses() {
    return originLimits == null && ttl.isZero();
  }

  /**
   * The bounds on what origins say, when this policy takes freshness from the response's own
   * {@code Cache-Control}, {@code Expires} and {@code Age} (RFC 9111) instead of from {@link #ttl()};
   * empty for a policy-directed route.
   */
  public Optional<OriginLimits> originDirected() {
    return Optional.ofNullable(originLimits);
  }

  boolean varies(VaryBy.Header header) {
    return varyBy.contains(header);
  }

  boolean hasKeyFunction() {
    for (VaryBy v : varyBy) {
      if (v instanceof VaryBy.Key) {
        return true;
      }
    }
    return false;
  }

  /** How long a store keeps an entry: {@code ttl + max(swr, sie)}. */
  Duration retention() {
    return ttl.plus(staleWhileRevalidate.compareTo(staleIfError) >= 0 ? staleWhileRevalidate : staleIfError);
  }

  @Override
  public String toString() {
    return "CachePolicy[" + id() + ", ttl=" + ttl + ", swr=" + staleWhileRevalidate + ", sie=" + staleIfError
        + ", varyBy=" + varyBy + "]";
  }

  /**
   * The bounds an origin-directed policy puts on what origins say: a floor and a ceiling on the
   * freshness lifetime, and a cap on the heuristic one given to responses without explicit freshness.
   *
   * @param minTtl the shortest lifetime granted to a storable response
   * @param maxTtl the longest lifetime granted, whatever the origin says
   * @param heuristicCap the longest heuristic lifetime (from {@code Last-Modified})
   */
  public record OriginLimits(Duration minTtl, Duration maxTtl, Duration heuristicCap) {
    /** Requires {@code 0 <= minTtl <= maxTtl} and a non-negative cap. */
    public OriginLimits {
      requireNonNull(minTtl, "minTtl");
      requireNonNull(maxTtl, "maxTtl");
      requireNonNull(heuristicCap, "heuristicCap");
      if (minTtl.isNegative() || heuristicCap.isNegative() || maxTtl.compareTo(minTtl) < 0) {
        throw new IllegalArgumentException("need 0 <= minTtl <= maxTtl and heuristicCap >= 0 but got " + minTtl
            + ", " + maxTtl + ", " + heuristicCap);
      }
    }

    /** No floor, no ceiling to speak of (a year), and a heuristic capped at a day. */
    public static OriginLimits none() {
      return new OriginLimits(Duration.ZERO, Duration.ofDays(365), Duration.ofDays(1));
    }
  }

  /** Builds a {@link CachePolicy}; every setter refuses nonsense with a message naming the route. */
  public static final class Builder {
    private final String routePattern;
    private final Set<String> methods = new LinkedHashSet<>(List.of("GET"));
    private Duration ttl = Duration.ZERO;
    private Duration staleWhileRevalidate = Duration.ZERO;
    private Duration staleIfError = Duration.ZERO;
    private final List<VaryBy> varyBy = new ArrayList<>();
    private final Set<String> invalidateOn = new LinkedHashSet<>();
    private final List<String> tags = new ArrayList<>();
    private String clientCacheControl = DEFAULT_CLIENT_CACHE_CONTROL;
    private long maxBodyBytes = DEFAULT_MAX_BODY_BYTES;
    private boolean shared;
    private boolean shareAcrossHosts;
    private @Nullable OriginLimits originLimits;
    private @Nullable Compression compression;

    private Builder(String route) {
      this.routePattern = requireNonNull(route, "route");
    }

    /** GET (HEAD is served with it) and, explicitly, HEAD; anything else belongs in a write rule. */
    public Builder methods(Collection<String> names) {
      methods.clear();
      for (String m : names) {
        String upper = requireNonNull(m, "method").toUpperCase(Locale.ROOT);
        if (!upper.equals("GET") && !upper.equals("HEAD")) {
          throw fail("methods may be only GET and HEAD but include '" + m
              + "'; unsafe methods invalidate through write rules");
        }
        methods.add(upper);
      }
      if (methods.isEmpty()) {
        throw fail("methods must not be empty");
      }
      methods.add("GET"); // HEAD is answered from GET entries, so a HEAD-only policy still stores GETs
      return this;
    }

    /** How long a response is fresh; zero bypasses the cache for the route. Required, never negative. */
    public Builder ttl(Duration value) {
      ttl = nonNegative("ttl", value);
      return this;
    }

    /** How long past its ttl a response is still served while one refresh runs in the background; default zero. */
    public Builder staleWhileRevalidate(Duration value) {
      staleWhileRevalidate = nonNegative("staleWhileRevalidate", value);
      return this;
    }

    /** How long past its ttl a response replaces an origin error (5xx or unreachable); default zero. */
    public Builder staleIfError(Duration value) {
      staleIfError = nonNegative("staleIfError", value);
      return this;
    }

    /** Adds a key part; see {@link VaryBy#parse}. */
    public Builder varyBy(VaryBy part) {
      requireNonNull(part, "part");
      if (varyBy.contains(part)) {
        throw fail("varyBy lists '" + part + "' twice");
      }
      varyBy.add(part);
      return this;
    }

    /** Adds key parts parsed from {@code name}, {@code header:Name} or {@code key:name}. */
    public Builder varyBy(String... specs) {
      for (String spec : specs) {
        try {
          varyBy(VaryBy.parse(spec));
        } catch (IllegalArgumentException e) {
          throw fail(PolicyTree.reason(e));
        }
      }
      return this;
    }

    /** Adds events that invalidate every response of this policy at once. */
    public Builder invalidateOn(String... events) {
      for (String e : events) {
        if (e == null || e.isBlank()) {
          throw fail("invalidateOn entries must not be empty");
        }
        invalidateOn.add(e.trim());
      }
      return this;
    }

    /** Adds tag templates such as {@code product:{id}}; every variable must be one of the route's. */
    public Builder tags(String... templates) {
      for (String t : templates) {
        if (t == null || t.isBlank()) {
          throw fail("tags entries must not be empty");
        }
        tags.add(t);
      }
      return this;
    }

    /** The {@code Cache-Control} sent to clients with cached responses; default {@code no-cache}. */
    public Builder clientCacheControl(String directive) {
      requireNonNull(directive, "directive");
      if (directive.isBlank() || directive.indexOf('\r') >= 0 || directive.indexOf('\n') >= 0) {
        throw fail("clientCacheControl must be a non-empty single-line header value but was '" + directive + "'");
      }
      clientCacheControl = directive.trim();
      return this;
    }

    /** The largest body stored; larger ones are served uncached. Default {@link CachePolicy#DEFAULT_MAX_BODY_BYTES}. */
    public Builder maxBodyBytes(long bytes) {
      if (bytes < 0 || bytes > Integer.MAX_VALUE - 64) {
        throw fail("maxBodyBytes must be in [0, " + (Integer.MAX_VALUE - 64) + "] but was " + bytes);
      }
      maxBodyBytes = bytes;
      return this;
    }

    /**
     * Stores text-like bodies ({@link Compression#DEFAULTS}) gzip-encoded: about a fifth of the
     * memory for JSON. Clients that accept gzip get the stored bytes with
     * {@code Content-Encoding: gzip} and an entity tag of their own; the others get the decoded
     * body. Off by default.
     */
    public Builder compress() {
      return compress(Compression.DEFAULTS);
    }

    /** As {@link #compress()}, with {@code settings}' size threshold and content types. */
    public Builder compress(Compression settings) {
      compression = requireNonNull(settings, "settings");
      return this;
    }

    /** Whether requests with {@code Authorization} may share entries (the response does not depend on the caller); default false. */
    public Builder shared(boolean value) {
      shared = value;
      return this;
    }

    /**
     * Takes freshness from each response (RFC 9111 §4.2: {@code s-maxage}, {@code max-age},
     * {@code Expires}, a capped heuristic), kept within {@code minTtl} and {@code maxTtl}; the
     * stale windows are the response's own. Excludes {@link #ttl}, {@link #staleWhileRevalidate}
     * and {@link #staleIfError}. Responses the origin marks {@code no-store} or {@code private}, or
     * that are stale on arrival with no stale window, are not stored.
     */
    public Builder originDirected(Duration minTtl, Duration maxTtl) {
      try {
        originLimits = new OriginLimits(nonNegative("minTtl", minTtl), nonNegative("maxTtl", maxTtl),
            OriginLimits.none().heuristicCap());
      } catch (IllegalArgumentException e) {
        throw fail("minTtl must not exceed maxTtl but was " + minTtl + " > " + maxTtl);
      }
      return this;
    }

    /** See {@link CachePolicy#shareAcrossHosts()}; default false. */
    public Builder shareAcrossHosts(boolean value) {
      shareAcrossHosts = value;
      return this;
    }

    /**
     * The policy.
     *
     * @throws PolicyConfigException when the route or a template is invalid
     */
    public CachePolicy build() {
      Route route;
      try {
        route = Route.parse(routePattern);
      } catch (IllegalArgumentException e) {
        throw new PolicyConfigException(PolicyTree.reason(e));
      }
      if (originLimits != null && (!ttl.isZero() || !staleWhileRevalidate.isZero() || !staleIfError.isZero())) {
        throw fail("an origin-directed policy takes ttl and stale windows from the response; set minTtl and maxTtl"
            + " instead of ttl, staleWhileRevalidate and staleIfError");
      }
      Set<String> variables = route.variableNames();
      for (String tag : tags) {
        Matcher m = TAG_VARIABLE.matcher(tag);
        while (m.find()) {
          if (!variables.contains(m.group(1))) {
            throw fail("tag '" + tag + "' uses {" + m.group(1) + "}, which is not a variable of the route");
          }
        }
      }
      return new CachePolicy(this, route);
    }

    private Duration nonNegative(String field, Duration value) {
      requireNonNull(value, field);
      if (value.isNegative()) {
        throw fail(field + " must be >= 0 but was " + value);
      }
      return value;
    }

    private PolicyConfigException fail(String reason) {
      return new PolicyConfigException(reason + " (policy " + routePattern + ")");
    }
  }

  /** Expands this policy's tag templates with the matched route variables. */
  List<String> expandTags(Map<String, String> variables) {
    if (tags.isEmpty()) {
      return List.of();
    }
    List<String> out = new ArrayList<>(tags.size());
    for (String t : tags) {
      Matcher m = TAG_VARIABLE.matcher(t);
      StringBuilder b = new StringBuilder();
      while (m.find()) {
        m.appendReplacement(b, Matcher.quoteReplacement(variables.getOrDefault(m.group(1), "")));
      }
      m.appendTail(b);
      out.add(b.toString());
    }
    return out;
  }
}
