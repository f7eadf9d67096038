package dev.apicache;

import static java.util.Objects.requireNonNull;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * A route pattern: an exact path ({@code /api/config}), a template with variables
 * ({@code /api/products/{id}}, or typed: {@code /api/products/{id:int}}), or a prefix on a segment
 * boundary ({@code /api/products/**}, which matches {@code /api/products} and everything below it,
 * never {@code /api/productsX}).
 *
 * <p>Literal segments match only their exact spelling. A typed variable turns every spelling the
 * application reads as the same value into one canonical value, used for the key, the tags and the
 * purge alike, so that aliases such as {@code /products/012} and {@code /products/12} share one entry
 * and one invalidation; a value its type does not accept is reported, and the request bypasses.
 *
 * <p>Patterns order by specificity: more literal segments first, then fewer variables, then
 * patterns without {@code **}; {@link #compareSpecificity} is what makes the most specific route
 * win regardless of the order policies are listed in.
 */
final class Route {
  private final String pattern;
  private final List<Segment> segments;
  private final boolean prefix;
  private final int literals;
  private final int variables;

  /** One segment of a pattern: a literal, or a variable with its type. */
  private record Segment(@Nullable String literal, @Nullable String variable, @Nullable VariableType type) {
    boolean isVariable() {
      return variable != null;
    }
  }

  /** What a route variable accepts and how it spells a value canonically. */
  enum VariableType {
    /** Any segment, as spelled (the request target is already in canonical spelling). */
    ANY,
    /** A decimal integer: an optional sign, ASCII digits; {@code +012} and {@code 12} are one value. */
    INT,
    /** A UUID in its 8-4-4-4-12 hex form, any case; canonically lower case. */
    UUID,
    /** A case-insensitive ASCII slug (letters, digits, {@code - . _ ~}); canonically lower case. */
    SLUG;

    /** The canonical spelling of {@code value}, or null when this type does not accept it. */
    @Nullable String canonical(String value) {
      switch (this) {
        case INT:
          return canonicalInt(value);
        case UUID:
          return canonicalUuid(value);
        case SLUG:
          return canonicalSlug(value);
        default:
          return value;
      }
    }

    static VariableType named(String name, String pattern) {
      switch (name) {
        case "int":
          return INT;
        case "uuid":
          return UUID;
        case "slug":
          return SLUG;
        default:
          throw new IllegalArgumentException("unknown variable type '" + name + "' in route '" + pattern
              + "' (known: int, uuid, slug)");
      }
    }

    private static @Nullable String canonicalInt(String v) {
      int start = 0;
      boolean negative = false;
      if (!v.isEmpty() && (v.charAt(0) == '+' || v.charAt(0) == '-')) {
        negative = v.charAt(0) == '-';
        start = 1;
      }
      if (start == v.length() || v.length() - start > 64) {
        return null;
      }
      for (int i = start; i < v.length(); i++) {
        char c = v.charAt(i);
        if (c < '0' || c > '9') {
          return null;
        }
      }
      int first = start;
      while (first < v.length() - 1 && v.charAt(first) == '0') {
        first++;
      }
      String digits = v.substring(first);
      return negative && !digits.equals("0") ? "-" + digits : digits;
    }

    private static @Nullable String canonicalUuid(String v) {
      if (v.length() != 36) {
        return null;
      }
      for (int i = 0; i < 36; i++) {
        char c = v.charAt(i);
        boolean dash = i == 8 || i == 13 || i == 18 || i == 23;
        if (dash ? c != '-' : Character.digit(c, 16) < 0 || c > 'f') {
          return null;
        }
      }
      return v.toLowerCase(Locale.ROOT);
    }

    private static @Nullable String canonicalSlug(String v) {
      if (v.isEmpty()) {
        return null;
      }
      for (int i = 0; i < v.length(); i++) {
        char c = v.charAt(i);
        boolean ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
            || c == '-' || c == '.' || c == '_' || c == '~';
        if (!ok) {
          return null;
        }
      }
      return v.toLowerCase(Locale.ROOT);
    }
  }

  /**
   * A route matched against a path: the variables (canonical values), the path spelled canonically,
   * and whether every typed variable accepted its value. When one did not, {@link #path} is the
   * path as given and the variables hold what was given.
   */
  record Match(Map<String, String> variables, String path, boolean valid) {}

  private Route(String pattern, List<Segment> segments, boolean prefix) {
    this.pattern = pattern;
    this.segments = segments;
    this.prefix = prefix;
    int lit = 0;
    int vars = 0;
    for (Segment s : segments) {
      if (s.isVariable()) {
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
      if (c <= ' ' || c >= 0x7f || c == '?' || c == '#' || c == '%' || c == ';' || c == '\\') {
        throw new IllegalArgumentException("route must be a plain ASCII path without spaces, controls, '?', '#', '%',"
            + " ';' or '\\' but was '" + pattern + "'");
      }
    }
    if (pattern.length() > 1 && pattern.endsWith("/")) {
      throw new IllegalArgumentException("route must not end with '/' (requests with a trailing slash are not"
          + " cached) but was '" + pattern + "'");
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
    List<Segment> segments = new ArrayList<>(parts.size());
    for (String s : parts) {
      if (s.equals("**") || s.equals("*")) {
        throw new IllegalArgumentException("'" + s + "' may only end a route, as '/**', in '" + pattern + "'");
      }
      if (s.equals(".") || s.equals("..")) {
        throw new IllegalArgumentException("route must not contain '.' or '..' segments: '" + pattern + "'");
      }
      if (s.length() >= 2 && s.charAt(0) == '{' && s.charAt(s.length() - 1) == '}') {
        String inner = s.substring(1, s.length() - 1);
        int colon = inner.indexOf(':');
        String name = colon < 0 ? inner : inner.substring(0, colon);
        VariableType type = colon < 0 ? VariableType.ANY : VariableType.named(inner.substring(colon + 1), pattern);
        if (name.isEmpty() || !name.chars().allMatch(c -> Character.isLetterOrDigit(c) || c == '_' || c == '-')) {
          throw new IllegalArgumentException("bad variable '" + s + "' in route '" + pattern + "'");
        }
        if (!names.add(name)) {
          throw new IllegalArgumentException("variable '" + s + "' appears twice in route '" + pattern + "'");
        }
        segments.add(new Segment(null, name, type));
      } else if (s.indexOf('{') >= 0 || s.indexOf('}') >= 0) {
        throw new IllegalArgumentException("a variable must be a whole segment, like '{id}', in route '" + pattern + "'");
      } else {
        segments.add(new Segment(s, null, null));
      }
    }
    return new Route(pattern, List.copyOf(segments), prefix);
  }

  /**
   * Splits {@code /a/b/c} into its segments; {@code /} is no segments. Returns null when the path
   * has an empty segment; a single trailing {@code /} is dropped.
   */
  static @Nullable List<String> splitSegments(String path) {
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
          break;
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

  /**
   * Matches path segments (in canonical spelling), with typed variables checked and canonicalised;
   * null when the route does not match.
   */
  @Nullable Match match(List<String> pathSegments) {
    if (prefix ? pathSegments.size() < segments.size() : pathSegments.size() != segments.size()) {
      return null;
    }
    Map<String, String> vars = null;
    boolean valid = true;
    boolean rewritten = false;
    String[] canonical = null;
    for (int i = 0; i < segments.size(); i++) {
      Segment s = segments.get(i);
      String p = pathSegments.get(i);
      if (!s.isVariable()) {
        if (!p.equals(s.literal())) {
          return null;
        }
        continue;
      }
      if (vars == null) {
        vars = new HashMap<>(4);
      }
      String value = requireNonNull(s.type(), "a variable has a type").canonical(p);
      if (value == null) {
        valid = false;
        value = p;
      } else if (!value.equals(p)) {
        if (canonical == null) {
          canonical = pathSegments.toArray(String[]::new);
        }
        canonical[i] = value;
        rewritten = true;
      }
      vars.put(s.variable(), value);
    }
    Map<String, String> variables = vars == null ? Map.of() : Collections.unmodifiableMap(vars);
    return new Match(variables, join(rewritten && valid ? List.of(canonical) : pathSegments), valid);
  }

  static String join(List<String> segments) {
    if (segments.isEmpty()) {
      return "/";
    }
    StringBuilder b = new StringBuilder();
    for (String s : segments) {
      b.append('/').append(s);
    }
    return b.toString();
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
      boolean mine = segments.get(i).isVariable();
      boolean theirs = other.segments.get(i).isVariable();
      if (mine != theirs) {
        return mine ? 1 : -1;
      }
    }
    return 0;
  }

  /** Two routes that match exactly the same paths (variable names and types aside). */
  String shape() {
    StringBuilder b = new StringBuilder();
    for (Segment s : segments) {
      b.append('/').append(s.isVariable() ? "{}" : s.literal());
    }
    return prefix ? b + "/**" : b.toString();
  }

  Set<String> variableNames() {
    Set<String> names = new HashSet<>();
    for (Segment s : segments) {
      if (s.isVariable()) {
        names.add(s.variable());
      }
    }
    return names;
  }

  @Override
  public String toString() {
    return pattern;
  }
}
