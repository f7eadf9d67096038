package dev.apicache;

import static java.util.Objects.requireNonNull;

import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Events fired when an unsafe request (POST, PUT, PATCH, DELETE) to a route succeeds through the
 * engine. Immutable; its route uses the same patterns as a {@link CachePolicy}.
 *
 * @since 0.1
 */
public final class WriteRule {
  private static final Set<String> UNSAFE = Set.of("POST", "PUT", "PATCH", "DELETE");
  /**
   * The methods RFC 9110 §9.2.1 and WebDAV define as safe; every other method, an unknown one
   * included, may change state, so a successful one invalidates its target (RFC 9111 §4.4).
   */
  private static final Set<String> SAFE = Set.of("GET", "HEAD", "OPTIONS", "TRACE", "PROPFIND", "REPORT",
      "SEARCH", "QUERY");

  private final Route route;
  private final Set<String> methods;
  private final Set<String> events;

  private WriteRule(Route route, Set<String> methods, Set<String> events) {
    this.route = route;
    this.methods = methods;
    this.events = events;
  }

  /**
   * A rule for {@code route} firing {@code events} on a successful request of one of {@code methods}
   * (all four unsafe methods when empty).
   */
  public static WriteRule of(String route, Collection<String> methods, Collection<String> events) {
    requireNonNull(route, "route");
    Route parsed;
    try {
      parsed = Route.parse(route);
    } catch (IllegalArgumentException e) {
      throw new PolicyConfigException(PolicyTree.reason(e));
    }
    Set<String> ms = new LinkedHashSet<>();
    for (String m : requireNonNull(methods, "methods")) {
      String upper = requireNonNull(m, "method").toUpperCase(Locale.ROOT);
      if (!UNSAFE.contains(upper)) {
        throw new PolicyConfigException("write methods may be only POST, PUT, PATCH and DELETE but include '" + m
            + "' (write " + route + ")");
      }
      ms.add(upper);
    }
    if (ms.isEmpty()) {
      ms.addAll(List.of("POST", "PUT", "PATCH", "DELETE"));
    }
    Set<String> evs = new LinkedHashSet<>();
    for (String e : requireNonNull(events, "events")) {
      if (e == null || e.isBlank()) {
        throw new PolicyConfigException("events entries must not be empty (write " + route + ")");
      }
      evs.add(e.trim());
    }
    if (evs.isEmpty()) {
      throw new PolicyConfigException("events must name at least one event (write " + route + ")");
    }
    return new WriteRule(parsed, Set.copyOf(ms), Set.copyOf(evs));
  }

  /** The route pattern, as declared. */
  public String route() {
    return route.toString();
  }

  Route parsedRoute() {
    return route;
  }

  /** The methods it matches; all unsafe methods when declared empty. */
  public Set<String> methods() {
    return methods;
  }

  /** The events fired by a successful matching write. */
  public Set<String> events() {
    return events;
  }

  /** Whether {@code method} is not known to be safe: the standard unsafe ones, and any unknown method. */
  static boolean isUnsafe(String method) {
    return !SAFE.contains(method);
  }

  @Override
  public String toString() {
    return "WriteRule[" + route + " " + methods + " -> " + events + "]";
  }
}
