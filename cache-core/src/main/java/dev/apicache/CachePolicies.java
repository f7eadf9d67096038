package dev.apicache;

import static java.util.Objects.requireNonNull;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import org.jspecify.annotations.Nullable;

/**
 * Every policy and write rule of a service, and the key functions they name. Immutable.
 *
 * <p>Matching picks the most specific route (see {@link CachePolicy#forRoute}), whatever the order
 * the policies were listed in; a path no policy matches is not cached. Building refuses two policies
 * for the same route, write rules likewise, and {@code key:} parts that name no registered function.
 *
 * @since 0.1
 */
public final class CachePolicies {
  private final List<CachePolicy> policies;
  private final List<WriteRule> writes;
  private final Map<String, KeyFunction> keyFunctions;
  private final Map<String, List<CachePolicy>> byEvent;
  private final Map<String, CachePolicy> byId;
  private final String basePath;
  private final List<String> baseSegments;

  private CachePolicies(List<CachePolicy> policies, List<WriteRule> writes, Map<String, KeyFunction> keyFunctions,
      String basePath) {
    this.basePath = basePath;
    this.baseSegments = requireNonNull(Route.splitSegments(basePath.isEmpty() ? "/" : basePath),
        "the builder lets only paths through");
    this.policies = policies;
    this.writes = writes;
    this.keyFunctions = keyFunctions;
    Map<String, List<CachePolicy>> events = new HashMap<>();
    Map<String, CachePolicy> ids = new LinkedHashMap<>();
    for (CachePolicy p : policies) {
      ids.put(p.id(), p);
      for (String e : p.invalidateOn()) {
        events.computeIfAbsent(e, k -> new ArrayList<>()).add(p);
      }
    }
    events.replaceAll((k, v) -> List.copyOf(v));
    this.byEvent = Map.copyOf(events);
    this.byId = ids;
  }

  /** An empty builder. */
  public static Builder builder() {
    return new Builder();
  }

  /** The policies, most specific route first. */
  public List<CachePolicy> policies() {
    return policies;
  }

  /**
   * The largest body any policy stores ({@link CachePolicy#maxBodyBytes()}), or the default limit
   * when there are no policies: what an origin must hold to know whether a response can be stored.
   */
  public long maxBodyBytes() {
    long max = policies.isEmpty() ? CachePolicy.DEFAULT_MAX_BODY_BYTES : 0;
    for (CachePolicy p : policies) {
      max = Math.max(max, p.maxBodyBytes());
    }
    return max;
  }

  /**
   * The path every route is relative to, such as a servlet context path ({@code /shop}), or the
   * empty string when routes are the request's whole path. A request outside it matches nothing.
   */
  public String basePath() {
    return basePath;
  }

  /** The write rules, in declaration order. */
  public List<WriteRule> writes() {
    return writes;
  }

  /**
   * The policy whose cache answers {@code method} on {@code path} (a raw request path), if any: none
   * for a path not in canonical spelling or with a value its route's variable type refuses.
   */
  public Optional<CachePolicy> match(String method, String path) {
    RequestTarget target = RequestTarget.parse(CacheRequest.builder(method, path).build(), Integer.MAX_VALUE);
    if (target.rejection() != null) {
      return Optional.empty();
    }
    PolicyMatch m = matchPolicy(method, target.segments());
    return m == null || !m.valid() ? Optional.empty() : Optional.of(m.policy());
  }

  Optional<CachePolicy> byId(String id) {
    return Optional.ofNullable(byId.get(id));
  }

  /**
   * A matched policy, the route variables it bound and the path in canonical spelling (typed
   * variables canonicalised); {@code valid} is false when a typed variable refused its value.
   */
  record PolicyMatch(CachePolicy policy, Map<String, String> variables, String path, boolean valid) {}

  @Nullable PolicyMatch matchPolicy(String method, List<String> segments) {
    List<String> relative = relative(segments);
    if (relative == null) {
      return null;
    }
    String m = method.equals("HEAD") ? "GET" : method;
    for (CachePolicy p : policies) {
      if (p.methods().contains(m)) {
        Route.Match match = p.route().match(relative);
        if (match != null) {
          // keys and fences name the whole path, base included, as the request spelled it
          String path = basePath.isEmpty() ? match.path()
              : match.path().equals("/") ? basePath : basePath + match.path();
          return new PolicyMatch(p, match.variables(), path, match.valid());
        }
      }
    }
    return null;
  }

  /** The segments under the base path, or null for a path outside it. */
  private @Nullable List<String> relative(List<String> segments) {
    if (baseSegments.isEmpty()) {
      return segments;
    }
    if (segments.size() < baseSegments.size() || !segments.subList(0, baseSegments.size()).equals(baseSegments)) {
      return null;
    }
    return segments.subList(baseSegments.size(), segments.size());
  }

  /** The write rule for {@code method} on {@code segments}; variable types do not narrow a write's match. */
  @Nullable WriteRule matchWrite(String method, List<String> segments) {
    List<String> relative = relative(segments);
    if (relative == null) {
      return null;
    }
    for (WriteRule w : writes) {
      if (w.methods().contains(method) && w.parsedRoute().match(relative) != null) {
        return w;
      }
    }
    return null;
  }

  List<CachePolicy> listening(String event) {
    return byEvent.getOrDefault(event, List.of());
  }

  KeyFunction keyFunction(String name) {
    KeyFunction function = keyFunctions.get(name);
    if (function == null) {
      throw new IllegalStateException("no key function " + name + "; build() checks every policy's");
    }
    return function;
  }

  /** Builds {@link CachePolicies}; not thread-safe. */
  public static final class Builder {
    private final List<CachePolicy> policies = new ArrayList<>();
    private final List<WriteRule> writes = new ArrayList<>();
    private final Map<String, KeyFunction> keyFunctions = new HashMap<>();
    private String basePath = "";

    private Builder() {}

    /**
     * Makes every route and write rule relative to {@code path}, such as a servlet context path:
     * with {@code /shop}, route {@code /api/items} answers {@code /shop/api/items}, and nothing
     * outside {@code /shop} matches. Policy ids stay the routes as written; keys, purges and
     * fences use the whole path. {@code ""} or {@code /} (the default) is the server's root.
     *
     * @throws PolicyConfigException when {@code path} is not a plain absolute path
     */
    public Builder basePath(String path) {
      requireNonNull(path, "path");
      String p = path.endsWith("/") ? path.substring(0, path.length() - 1) : path;
      if (!p.isEmpty()) {
        try {
          Route.parse(p);
        } catch (IllegalArgumentException e) {
          throw new PolicyConfigException("base path '" + path + "': " + e.getMessage());
        }
        if (!p.startsWith("/") || p.contains("{") || p.endsWith("/**") || Route.splitSegments(p) == null) {
          throw new PolicyConfigException("base path must be a plain absolute path such as /shop but was '" + path + "'");
        }
      }
      basePath = p;
      return this;
    }

    /** Adds a policy; ids must be unique. */
    public Builder add(CachePolicy policy) {
      policies.add(requireNonNull(policy, "policy"));
      return this;
    }

    /** Adds every policy of {@code all}. */
    public Builder addAll(Collection<CachePolicy> all) {
      all.forEach(this::add);
      return this;
    }

    /** Adds a write rule: the events a successful unsafe request fires. */
    public Builder write(WriteRule rule) {
      writes.add(requireNonNull(rule, "rule"));
      return this;
    }

    /** Registers the function that {@code key:NAME} parts refer to. */
    public Builder keyFunction(String name, KeyFunction function) {
      requireNonNull(name, "name");
      requireNonNull(function, "function");
      if (keyFunctions.putIfAbsent(name, function) != null) {
        throw new PolicyConfigException("key function '" + name + "' is registered twice");
      }
      return this;
    }

    /**
     * The policies.
     *
     * @throws PolicyConfigException when ids repeat, a route is declared twice or a key function is missing
     */
    public CachePolicies build() {
      Map<String, CachePolicy> shapes = new HashMap<>();
      for (CachePolicy p : policies) {
        CachePolicy previous = shapes.putIfAbsent(p.route().shape(), p);
        if (previous != null) {
          throw new PolicyConfigException("duplicate route: policies " + previous.id() + " and " + p.id()
              + " match the same paths");
        }
        for (VaryBy v : p.varyBy()) {
          if (v instanceof VaryBy.Key k && !keyFunctions.containsKey(k.name())) {
            throw new PolicyConfigException("varyBy 'key:" + k.name() + "' names no registered key function"
                + " (policy " + p.id() + "; registered: " + new TreeSet<>(keyFunctions.keySet()) + ")");
          }
        }
      }
      Map<String, WriteRule> writeShapes = new HashMap<>();
      for (WriteRule w : writes) {
        WriteRule previous = writeShapes.get(w.parsedRoute().shape());
        if (previous != null && overlaps(previous.methods(), w.methods())) {
          throw new PolicyConfigException("duplicate route: write rules " + previous.route() + " and " + w.route()
              + " match the same requests");
        }
        writeShapes.put(w.parsedRoute().shape(), w);
      }
      List<CachePolicy> sorted = new ArrayList<>(policies);
      sorted.sort(Comparator.comparing(CachePolicy::route, Route::compareSpecificity));
      List<WriteRule> sortedWrites = new ArrayList<>(writes);
      sortedWrites.sort(Comparator.comparing(WriteRule::parsedRoute, Route::compareSpecificity));
      return new CachePolicies(List.copyOf(sorted), List.copyOf(sortedWrites), Map.copyOf(keyFunctions),
          basePath);
    }

    private static boolean overlaps(Set<String> a, Set<String> b) {
      Set<String> both = new LinkedHashSet<>(a);
      both.retainAll(b);
      return !both.isEmpty();
    }
  }
}
