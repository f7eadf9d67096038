package dev.apicache;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A route pattern: an exact path ({@code /api/config}), a template with variables
 * ({@code /api/products/{id}}), or a prefix on a segment boundary ({@code /api/products/**}, which
 * matches {@code /api/products} and everything below it, never {@code /api/productsX}).
 *
 * <p>Patterns order by specificity: more literal segments first, then fewer variables, then
 * patterns without {@code **}; {@link #compareSpecificity} is what makes the most specific route
 * win regardless of the order policies are listed in.
 */
final class Route {
  private final String pattern;
  private final List<String> segments;
  private final boolean prefix;
  private final int literals;
  private final int variables;

  private Route(String pattern, List<String> segments, boolean prefix) {
    this.pattern = pattern;
    this.segments = segments;
    this.prefix = prefix;
    int lit = 0;
    int vars = 0;
    for (String s : segments) {
      if (isVariable(s)) {
        vars++;
      } else {
        lit++;
      }
    }
    this.literals = lit;
    this.variables = vars;
  }

  /** Parses a pattern, or explains why it is not one. */
  static Route parse(String pattern) {
    if (pattern == null || pattern.isEmpty() || pattern.charAt(0) != '/') {
      throw new IllegalArgumentException("route must start with '/' but was '" + pattern + "'");
    }
    for (int i = 0; i < pattern.length(); i++) {
      char c = pattern.charAt(i);
      if (c <= ' ' || c == 0x7f || c == '?' || c == '#') {
        throw new IllegalArgumentException("route must be a path without spaces, controls, '?' or '#' but was '"
            + pattern + "'");
      }
    }
    List<String> parts = splitSegments(pattern);
    if (parts == null) {
      throw new IllegalArgumentException("route must not contain empty segments ('//') but was '" + pattern + "'");
    }
    boolean prefix = false;
    if (!parts.isEmpty() && parts.get(parts.size() - 1).equals("**")) {
      prefix = true;
      parts = parts.subList(0, parts.size() - 1);
    }
    Set<String> names = new HashSet<>();
    for (String s : parts) {
      if (s.equals("**") || s.equals("*")) {
        throw new IllegalArgumentException("'" + s + "' may only end a route, as '/**', in '" + pattern + "'");
      }
      if (s.equals(".") || s.equals("..")) {
        throw new IllegalArgumentException("route must not contain '.' or '..' segments: '" + pattern + "'");
      }
      if (isVariable(s)) {
        String name = s.substring(1, s.length() - 1);
        if (name.isEmpty() || !name.chars().allMatch(c -> Character.isLetterOrDigit(c) || c == '_' || c == '-')) {
          throw new IllegalArgumentException("bad variable '" + s + "' in route '" + pattern + "'");
        }
        if (!names.add(name)) {
          throw new IllegalArgumentException("variable '" + s + "' appears twice in route '" + pattern + "'");
        }
      } else if (s.indexOf('{') >= 0 || s.indexOf('}') >= 0) {
        throw new IllegalArgumentException("a variable must be a whole segment, like '{id}', in route '" + pattern + "'");
      }
    }
    return new Route(pattern, List.copyOf(parts), prefix);
  }

  /**
   * Splits {@code /a/b/c} into its segments; {@code /} is no segments. Returns null when the path
   * has an empty segment ({@code //} or a trailing {@code /} after a segment is allowed only at the
   * very end).
   */
  static List<String> splitSegments(String path) {
    List<String> parts = new ArrayList<>();
    int start = 1;
    int n = path.length();
    if (n == 1) {
      return parts;
    }
    while (start <= n) {
      int slash = path.indexOf('/', start);
      int end = slash < 0 ? n : slash;
      if (end == start) {
        if (end == n) {
          break; // a single trailing slash: "/api/products/" is "/api/products"
        }
        return null;
      }
      parts.add(path.substring(start, end));
      start = end + 1;
      if (slash < 0) {
        break;
      }
    }
    return parts;
  }

  private static boolean isVariable(String segment) {
    return segment.length() >= 2 && segment.charAt(0) == '{' && segment.charAt(segment.length() - 1) == '}';
  }

  /**
   * Matches normalised path segments; returns the variables, or null when the route does not match.
   */
  Map<String, String> match(List<String> pathSegments) {
    if (prefix ? pathSegments.size() < segments.size() : pathSegments.size() != segments.size()) {
      return null;
    }
    Map<String, String> vars = null;
    for (int i = 0; i < segments.size(); i++) {
      String s = segments.get(i);
      String p = pathSegments.get(i);
      if (isVariable(s)) {
        if (vars == null) {
          vars = new HashMap<>(4);
        }
        vars.put(s.substring(1, s.length() - 1), p);
      } else if (!s.equals(p)) {
        return null;
      }
    }
    return vars == null ? Map.of() : Collections.unmodifiableMap(vars);
  }

  /** Negative when {@code this} is more specific than {@code other}. */
  int compareSpecificity(Route other) {
    if (literals != other.literals) {
      return Integer.compare(other.literals, literals);
    }
    if (prefix != other.prefix) {
      return prefix ? 1 : -1;
    }
    if (variables != other.variables) {
      // with equal literals, more segments in total (more variables) pin the path down further
      return Integer.compare(other.variables, variables);
    }
    // same counts: a literal earlier in the path is the more specific ("/api/products/{id}" beats
    // "/api/{kind}/latest" for "/api/products/latest")
    for (int i = 0; i < Math.min(segments.size(), other.segments.size()); i++) {
      boolean mine = isVariable(segments.get(i));
      boolean theirs = isVariable(other.segments.get(i));
      if (mine != theirs) {
        return mine ? 1 : -1;
      }
    }
    return 0;
  }

  /** Two routes that match exactly the same paths (variable names aside). */
  String shape() {
    StringBuilder b = new StringBuilder();
    for (String s : segments) {
      b.append('/').append(isVariable(s) ? "{}" : s);
    }
    return prefix ? b + "/**" : b.toString();
  }

  Set<String> variableNames() {
    Set<String> names = new HashSet<>();
    for (String s : segments) {
      if (isVariable(s)) {
        names.add(s.substring(1, s.length() - 1));
      }
    }
    return names;
  }

  @Override
  public String toString() {
    return pattern;
  }
}
