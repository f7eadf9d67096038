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

/**
 * Every policy and write rule of a service, and the key functions they name. Immutable.
 *
 * <p>Matching picks the most specific route (see {@link CachePolicy#forRoute}), whatever the order
 * the policies were listed in; a path no policy matches is not cached. Building refuses two policies
 * for the same route, write rules likewise, and {@code key:} parts that name no registered function.
 */
public final class CachePolicies {
  private final List<CachePolicy> policies;
  private final List<WriteRule> writes;
  private final Map<String, KeyFunction> keyFunctions;
  private final Map<String, List<CachePolicy>> byEvent;
  private final Map<String, CachePolicy> byId;

  private CachePolicies(List<CachePolicy> policies, List<WriteRule> writes, Map<String, KeyFunction> keyFunctions) {
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

  PolicyMatch matchPolicy(String method, List<String> segments) {
    String m = method.equals("HEAD") ? "GET" : method;
    for (CachePolicy p : policies) {
      if (p.methods().contains(m)) {
        Route.Match match = p.route().match(segments);
        if (match != null) {
          return new PolicyMatch(p, match.variables(), match.path(), match.valid());
        }
      }
    }
    return null;
  }

  /** The write rule for {@code method} on {@code segments}; variable types do not narrow a write's match. */
  WriteRule matchWrite(String method, List<String> segments) {
    for (WriteRule w : writes) {
      if (w.methods().contains(method) && w.parsedRoute().match(segments) != null) {
        return w;
      }
    }
    return null;
  }

  List<CachePolicy> listening(String event) {
    return byEvent.getOrDefault(event, List.of());
  }

  KeyFunction keyFunction(String name) {
    return keyFunctions.get(name);
  }

  /** Builds {@link CachePolicies}; not thread-safe. */
  public static final class Builder {
    private final List<CachePolicy> policies = new ArrayList<>();
    private final List<WriteRule> writes = new ArrayList<>();
    private final Map<String, KeyFunction> keyFunctions = new HashMap<>();

    private Builder() {}

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
      return new CachePolicies(List.copyOf(sorted), List.copyOf(sortedWrites), Map.copyOf(keyFunctions));
    }

    private static boolean overlaps(Set<String> a, Set<String> b) {
      Set<String> both = new LinkedHashSet<>(a);
      both.retainAll(b);
      return !both.isEmpty();
    }
  }
}
