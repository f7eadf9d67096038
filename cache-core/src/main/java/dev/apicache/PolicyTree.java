package dev.apicache;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * The policy document's rules over a plain tree of maps, lists, strings, numbers and booleans, as a
 * YAML or JSON parser or a configuration binder produces it. Needs nothing beyond the JDK, so one
 * reader checks a policy file and a host's own configuration, with the same messages; every
 * mistake names the field it is in ({@link PolicyConfigException#field()}).
 */
final class PolicyTree {
  private static final Set<String> TOP_LEVEL = Set.of("policies", "writes");
  private static final Set<String> POLICY_FIELDS = Set.of("path", "methods", "ttl", "staleWhileRevalidate",
      "staleIfError", "varyBy", "invalidateOn", "tags", "cacheControl", "maxBodySize", "shared",
      "shareAcrossHosts", "freshness", "minTtl", "maxTtl", "compress");
  private static final Set<String> COMPRESS_FIELDS = Set.of("minSize", "types");
  private static final Set<String> WRITE_FIELDS = Set.of("path", "methods", "events");
  private static final List<String> ONLY_POLICY_FRESHNESS = List.of("ttl", "staleWhileRevalidate", "staleIfError",
      "cacheControl");
  private static final Pattern SIZE = Pattern.compile("(\\d+)\\s*(B|KB|MB|GB)?", Pattern.CASE_INSENSITIVE);

  private final String source;
  private final Map<String, KeyFunction> keyFunctions;

  private PolicyTree(String source, Map<String, KeyFunction> keyFunctions) {
    this.source = source;
    this.keyFunctions = keyFunctions;
  }

  /** Reads {@code root} (null for an empty document); {@code source} names it in every message. */
  static CachePolicies read(@Nullable Object root, String source, Map<String, KeyFunction> keyFunctions) {
    return new PolicyTree(source, keyFunctions).document(root);
  }

  private CachePolicies document(@Nullable Object root) {
    if (root == null) {
      throw new PolicyConfigException(source + ": empty policy file; expected a 'policies' list", null,
          "empty policy file; expected a 'policies' list", null);
    }
    if (!(root instanceof Map<?, ?> top)) {
      throw failure(source, null, "expected a mapping with 'policies' and 'writes' at the top");
    }
    unknownFields(top, TOP_LEVEL, source, "", " at the top level");
    CachePolicies.Builder builder = CachePolicies.builder();
    keyFunctions.forEach(builder::keyFunction);
    if (!(top.get("policies") instanceof List<?> list) || list.isEmpty()) {
      throw failure(source, "policies", "'policies' must be a non-empty list");
    }
    for (int i = 0; i < list.size(); i++) {
      builder.add(policy(list.get(i), "policies[" + i + "]"));
    }
    Object writes = top.get("writes");
    if (writes != null) {
      if (!(writes instanceof List<?> rules)) {
        throw failure(source, "writes", "'writes' must be a list");
      }
      for (int i = 0; i < rules.size(); i++) {
        builder.write(write(rules.get(i), "writes[" + i + "]"));
      }
    }
    try {
      return builder.build();
    } catch (PolicyConfigException e) {
      throw new PolicyConfigException(source + ": " + reason(e), e.field().orElse("policies"), e.reason(), e);
    }
  }

  /**
   * The entry at {@code at}: a mapping with a {@code path} and only {@code known} fields, named in
   * every later message by its index and path.
   */
  private Field entry(Object value, String at, Set<String> known, String expected) {
    String where = source + ": " + at;
    if (!(value instanceof Map<?, ?> node)) {
      throw failure(where, at, "expected a mapping with " + expected);
    }
    String path = requiredText(node, "path", where, at);
    String entry = where + " (" + path + ")";
    unknownFields(node, known, entry, at + ".", "");
    return new Field(node, entry, at);
  }

  private CachePolicy policy(Object value, String at) {
    Field field = entry(value, at, POLICY_FIELDS, "at least 'path'");
    Map<?, ?> node = field.node;
    String entry = field.entry;
    String path = field.text("path");
    CachePolicy.Builder b;
    try {
      b = CachePolicy.forRoute(path);
    } catch (PolicyConfigException | IllegalArgumentException e) {
      throw failure(entry, at + ".path", reason(e));
    }
    field.ifPresent("methods", v -> b.methods(field.texts("methods")));
    String freshness = node.containsKey("freshness") ? field.text("freshness") : "policy";
    if (freshness.equals("origin")) {
      for (String excluded : ONLY_POLICY_FRESHNESS) {
        if (node.containsKey(excluded)) {
          throw failure(entry, at + "." + excluded, excluded + " does not apply with freshness: origin (the"
              + " response's own Cache-Control decides; bound it with minTtl and maxTtl)");
        }
      }
      Duration min = node.containsKey("minTtl") ? field.duration("minTtl") : Duration.ZERO;
      Duration max = node.containsKey("maxTtl") ? field.duration("maxTtl") : CachePolicy.OriginLimits.none().maxTtl();
      field.apply("maxTtl", () -> b.originDirected(min, max));
    } else if (!freshness.equals("policy")) {
      throw failure(entry, at + ".freshness", "freshness must be policy or origin but was '" + freshness + "'");
    } else if (node.containsKey("minTtl") || node.containsKey("maxTtl")) {
      throw failure(entry, at + (node.containsKey("minTtl") ? ".minTtl" : ".maxTtl"),
          "minTtl and maxTtl apply only with freshness: origin");
    } else if (!node.containsKey("ttl")) {
      throw failure(entry, at, "ttl is required (use 0 to declare a route never cached)");
    } else {
      Duration ttl = field.duration("ttl");
      field.apply("ttl", () -> b.ttl(ttl));
    }
    field.ifPresent("staleWhileRevalidate", v -> b.staleWhileRevalidate(field.duration("staleWhileRevalidate")));
    field.ifPresent("staleIfError", v -> b.staleIfError(field.duration("staleIfError")));
    field.ifPresent("varyBy", v -> b.varyBy(field.texts("varyBy").toArray(String[]::new)));
    field.ifPresent("invalidateOn", v -> b.invalidateOn(field.texts("invalidateOn").toArray(String[]::new)));
    field.ifPresent("tags", v -> b.tags(field.texts("tags").toArray(String[]::new)));
    field.ifPresent("cacheControl", v -> b.clientCacheControl(field.text("cacheControl")));
    field.ifPresent("maxBodySize", v -> b.maxBodyBytes(field.size("maxBodySize")));
    field.ifPresent("shared", v -> b.shared(field.bool("shared")));
    field.ifPresent("shareAcrossHosts", v -> b.shareAcrossHosts(field.bool("shareAcrossHosts")));
    field.ifPresent("compress", v -> compression(v, entry, at + ".compress").ifPresent(b::compress));
    CachePolicy policy;
    try {
      policy = b.build();
    } catch (PolicyConfigException | IllegalArgumentException e) {
      throw failure(entry, at, reason(e));
    }
    for (VaryBy v : policy.varyBy()) {
      if (v instanceof VaryBy.Key k && !keyFunctions.containsKey(k.name())) {
        throw failure(entry, at + ".varyBy", "varyBy 'key:" + k.name() + "' names no registered key function"
            + " (registered: " + new TreeSet<>(keyFunctions.keySet()) + ")");
      }
    }
    return policy;
  }

  /** {@code compress: true}, {@code false}, or a mapping with {@code minSize} and {@code types}. */
  private Optional<Compression> compression(Object v, String entry, String at) {
    if (v instanceof Boolean on) {
      return on ? Optional.of(Compression.DEFAULTS) : Optional.empty();
    }
    if (!(v instanceof Map<?, ?> node)) {
      throw failure(entry, at, "compress: expected true, false or a mapping with minSize and types but got " + kind(v));
    }
    String where = entry + ": compress";
    unknownFields(node, COMPRESS_FIELDS, where, at + ".", "");
    Field field = new Field(node, where, at);
    long min = node.containsKey("minSize") ? field.size("minSize") : Compression.DEFAULTS.minBytes();
    if (min > Integer.MAX_VALUE) {
      throw failure(where, at + ".minSize", "minSize must be under 2GB but was " + min);
    }
    List<String> types = node.containsKey("types") ? field.texts("types") : Compression.DEFAULTS.types();
    try {
      return Optional.of(new Compression((int) min, types));
    } catch (IllegalArgumentException e) {
      throw failure(where, at, reason(e));
    }
  }

  private WriteRule write(Object value, String at) {
    Field field = entry(value, at, WRITE_FIELDS, "'path' and 'events'");
    Map<?, ?> node = field.node;
    String entry = field.entry;
    String path = field.text("path");
    List<String> methods = node.containsKey("methods") ? field.texts("methods") : List.of();
    if (!node.containsKey("events")) {
      throw failure(entry, at, "events is required");
    }
    List<String> events = field.texts("events");
    try {
      return WriteRule.of(path, methods, events);
    } catch (PolicyConfigException | IllegalArgumentException e) {
      throw failure(entry, at, reason(e));
    }
  }

  private String requiredText(Map<?, ?> node, String name, String where, String at) {
    if (!node.containsKey(name)) {
      throw failure(where, at, name + " is required");
    }
    return new Field(node, where, at).text(name);
  }

  private static void unknownFields(Map<?, ?> node, Set<String> known, String where, String prefix, String scope) {
    for (Object name : node.keySet()) {
      if (!known.contains(String.valueOf(name))) {
        throw failure(where, prefix.isEmpty() ? String.valueOf(name) : prefix + name, "unknown field '" + name + "'"
            + scope + " (known: " + new TreeSet<>(known) + ")");
      }
    }
  }

  /** A mistake in {@code where} (the message's prefix), at {@code field} of the document. */
  private static PolicyConfigException failure(String where, @Nullable String field, String reason) {
    return new PolicyConfigException(where + ": " + reason, field, reason, null);
  }

  /** What a failure says, for a report: its message, or its kind when it has none. */
  static String reason(Exception e) {
    String message = e.getMessage();
    return message != null ? message : e.getClass().getSimpleName();
  }

  static String kind(@Nullable Object v) {
    if (v == null) {
      return "null";
    }
    if (v instanceof String s) {
      return "string \"" + s + "\"";
    }
    if (v instanceof Number || v instanceof Boolean) {
      return (v instanceof Number ? "number " : "boolean ") + v;
    }
    return (v instanceof Map ? "object " : v instanceof List ? "array " : "") + v;
  }

  /** The fields of one mapping, each read with its own type and named in its own mistakes. */
  private static final class Field {
    private final Map<?, ?> node;
    private final String entry;
    private final String at;

    Field(Map<?, ?> node, String entry, String at) {
      this.node = node;
      this.entry = entry;
      this.at = at;
    }

    void ifPresent(String name, java.util.function.Consumer<Object> use) {
      if (node.containsKey(name)) {
        apply(name, () -> use.accept(node.get(name)));
      }
    }

    /** Runs a builder step, naming {@code name} in what it refuses. */
    void apply(String name, Runnable step) {
      try {
        step.run();
      } catch (PolicyConfigException e) {
        if (e.field().isPresent()) {
          throw e;
        }
        throw failure(entry, at + "." + name, reason(e));
      } catch (IllegalArgumentException e) {
        throw failure(entry, at + "." + name, reason(e));
      }
    }

    private PolicyConfigException wrong(String name, String reason) {
      return new PolicyConfigException(entry + ": " + name + ": " + reason, at + "." + name, reason, null);
    }

    Duration duration(String name) {
      Object v = node.get(name);
      try {
        if (v instanceof Number || v instanceof String) {
          String text = v.toString().trim();
          if (text.startsWith("-")) {
            throw new IllegalArgumentException("must be >= 0 but was " + text);
          }
          return PolicyFile.parseDuration(text);
        }
        throw new IllegalArgumentException("expected a duration such as 60s but got " + kind(v));
      } catch (IllegalArgumentException e) {
        throw wrong(name, reason(e));
      }
    }

    long size(String name) {
      Object v = node.get(name);
      if ((v instanceof Integer || v instanceof Long) && ((Number) v).longValue() >= 0) {
        return ((Number) v).longValue();
      }
      if (v instanceof String s) {
        Matcher m = SIZE.matcher(s.trim());
        if (m.matches()) {
          long n = Long.parseLong(m.group(1));
          String unit = m.group(2) == null ? "B" : m.group(2).toUpperCase(Locale.ROOT);
          int shift = unit.equals("KB") ? 10 : unit.equals("MB") ? 20 : unit.equals("GB") ? 30 : 0;
          return n << shift;
        }
      }
      throw wrong(name, "expected a size such as 512KB or 1MB but got " + kind(v));
    }

    boolean bool(String name) {
      if (node.get(name) instanceof Boolean b) {
        return b;
      }
      throw wrong(name, "must be true or false but was " + kind(node.get(name)));
    }

    String text(String name) {
      if (node.get(name) instanceof String s) {
        return s;
      }
      throw wrong(name, "expected a string but got " + kind(node.get(name)));
    }

    List<String> texts(String name) {
      if (!(node.get(name) instanceof List<?> items)) {
        throw wrong(name, "expected a list but got " + kind(node.get(name)));
      }
      List<String> out = new ArrayList<>();
      for (Object item : items) {
        if (!(item instanceof String s)) {
          throw wrong(name, "expected strings but got " + kind(item));
        }
        out.add(s);
      }
      return out;
    }
  }
}
