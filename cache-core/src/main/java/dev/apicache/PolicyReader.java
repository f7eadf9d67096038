package dev.apicache;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The policy file's reader: everything that touches Jackson, so that {@link PolicyFile} loads
 * without it and can say it is missing.
 */
final class PolicyReader {
  private static final Set<String> TOP_LEVEL = Set.of("policies", "writes");
  private static final Set<String> POLICY_FIELDS = Set.of("path", "methods", "ttl", "staleWhileRevalidate",
      "staleIfError", "varyBy", "invalidateOn", "tags", "cacheControl", "maxBodySize", "shared",
      "shareAcrossHosts", "freshness", "minTtl", "maxTtl", "compress");
  private static final Set<String> COMPRESS_FIELDS = Set.of("minSize", "types");
  private static final Set<String> WRITE_FIELDS = Set.of("path", "methods", "events");
  private static final Pattern SIZE = Pattern.compile("(\\d+)\\s*(B|KB|MB|GB)?", Pattern.CASE_INSENSITIVE);

  private PolicyReader() {}

  /**
   * Parses policy text; {@code source} names it in errors and picks the format (JSON when it ends in
   * {@code .json}, YAML otherwise).
   */
  static CachePolicies parse(String text, String source, Map<String, KeyFunction> keyFunctions) {
    ObjectMapper mapper = source.toLowerCase(Locale.ROOT).endsWith(".json") ? new ObjectMapper()
        : new ObjectMapper(new YAMLFactory());
    mapper.enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION);
    JsonNode root;
    try {
      root = mapper.readTree(text);
    } catch (JsonProcessingException e) {
      throw new PolicyConfigException(source + ": not valid " + (mapper.getFactory() instanceof YAMLFactory ? "YAML" : "JSON")
          + ": " + e.getOriginalMessage() + location(e), e);
    }
    if (root == null || root.isMissingNode() || root.isNull()) {
      throw new PolicyConfigException(source + ": empty policy file; expected a 'policies' list");
    }
    if (!root.isObject()) {
      throw new PolicyConfigException(source + ": expected a mapping with 'policies' and 'writes' at the top");
    }
    unknownFields(root, TOP_LEVEL, source, "top level");
    CachePolicies.Builder builder = CachePolicies.builder();
    keyFunctions.forEach(builder::keyFunction);
    JsonNode list = root.get("policies");
    if (list == null || !list.isArray() || list.isEmpty()) {
      throw new PolicyConfigException(source + ": 'policies' must be a non-empty list");
    }
    for (int i = 0; i < list.size(); i++) {
      JsonNode node = list.get(i);
      String where = source + ": policies[" + i + "]";
      builder.add(policy(node, where));
    }
    JsonNode writes = root.get("writes");
    if (writes != null && !writes.isNull()) {
      if (!writes.isArray()) {
        throw new PolicyConfigException(source + ": 'writes' must be a list");
      }
      for (int i = 0; i < writes.size(); i++) {
        builder.write(write(writes.get(i), source + ": writes[" + i + "]"));
      }
    }
    try {
      return builder.build();
    } catch (PolicyConfigException e) {
      throw new PolicyConfigException(source + ": " + e.getMessage(), e);
    }
  }

  private static CachePolicy policy(JsonNode node, String where) {
    if (!node.isObject()) {
      throw new PolicyConfigException(where + ": expected a mapping with at least 'path'");
    }
    String path = requiredText(node, "path", where);
    String entry = where + " (" + path + ")";
    unknownFields(node, POLICY_FIELDS, entry, null);
    try {
      CachePolicy.Builder b = CachePolicy.forRoute(path);
      if (node.has("methods")) {
        b.methods(texts(node, "methods", entry));
      }
      String freshness = node.has("freshness") ? text(node, "freshness", entry) : "policy";
      if (freshness.equals("origin")) {
        for (String excluded : new String[] {"ttl", "staleWhileRevalidate", "staleIfError", "cacheControl"}) {
          if (node.has(excluded)) {
            throw new PolicyConfigException(excluded + " does not apply with freshness: origin (the response's own"
                + " Cache-Control decides; bound it with minTtl and maxTtl)");
          }
        }
        b.originDirected(node.has("minTtl") ? duration(node, "minTtl", entry) : Duration.ZERO,
            node.has("maxTtl") ? duration(node, "maxTtl", entry) : OriginFreshness.Limits.none().maxTtl());
      } else if (!freshness.equals("policy")) {
        throw new PolicyConfigException("freshness must be policy or origin but was '" + freshness + "'");
      } else if (node.has("minTtl") || node.has("maxTtl")) {
        throw new PolicyConfigException("minTtl and maxTtl apply only with freshness: origin");
      } else if (!node.has("ttl")) {
        throw new PolicyConfigException("ttl is required (use 0 to declare a route never cached)");
      } else {
        b.ttl(duration(node, "ttl", entry));
      }
      if (node.has("staleWhileRevalidate")) {
        b.staleWhileRevalidate(duration(node, "staleWhileRevalidate", entry));
      }
      if (node.has("staleIfError")) {
        b.staleIfError(duration(node, "staleIfError", entry));
      }
      if (node.has("varyBy")) {
        b.varyBy(texts(node, "varyBy", entry).toArray(String[]::new));
      }
      if (node.has("invalidateOn")) {
        b.invalidateOn(texts(node, "invalidateOn", entry).toArray(String[]::new));
      }
      if (node.has("tags")) {
        b.tags(texts(node, "tags", entry).toArray(String[]::new));
      }
      if (node.has("cacheControl")) {
        b.clientCacheControl(text(node, "cacheControl", entry));
      }
      if (node.has("maxBodySize")) {
        b.maxBodyBytes(size(node, "maxBodySize", entry));
      }
      if (node.has("shared")) {
        b.shared(bool(node, "shared"));
      }
      if (node.has("shareAcrossHosts")) {
        b.shareAcrossHosts(bool(node, "shareAcrossHosts"));
      }
      if (node.has("compress")) {
        compression(node.get("compress"), entry).ifPresent(b::compress);
      }
      return b.build();
    } catch (PolicyConfigException e) {
      throw e.getMessage().startsWith(where) ? e : new PolicyConfigException(entry + ": " + e.getMessage(), e);
    }
  }

  /** {@code compress: true}, {@code false}, or a mapping with {@code minSize} and {@code types}. */
  private static java.util.Optional<Compression> compression(JsonNode v, String entry) {
    if (v.isBoolean()) {
      return v.booleanValue() ? java.util.Optional.of(Compression.DEFAULTS) : java.util.Optional.empty();
    }
    if (!v.isObject()) {
      throw new PolicyConfigException(entry + ": compress: expected true, false or a mapping with minSize and types"
          + " but got " + kind(v));
    }
    String where = entry + ": compress";
    unknownFields(v, COMPRESS_FIELDS, where, null);
    long min = v.has("minSize") ? size(v, "minSize", where) : Compression.DEFAULTS.minBytes();
    if (min > Integer.MAX_VALUE) {
      throw new PolicyConfigException(where + ": minSize must be under 2GB but was " + min);
    }
    List<String> types = v.has("types") ? texts(v, "types", where) : Compression.DEFAULTS.types();
    try {
      return java.util.Optional.of(new Compression((int) min, types));
    } catch (IllegalArgumentException e) {
      throw new PolicyConfigException(where + ": " + e.getMessage());
    }
  }

  private static boolean bool(JsonNode node, String field) {
    JsonNode value = node.get(field);
    if (!value.isBoolean()) {
      throw new PolicyConfigException(field + " must be true or false but was " + value);
    }
    return value.booleanValue();
  }

  private static WriteRule write(JsonNode node, String where) {
    if (!node.isObject()) {
      throw new PolicyConfigException(where + ": expected a mapping with 'path' and 'events'");
    }
    String path = requiredText(node, "path", where);
    String entry = where + " (" + path + ")";
    unknownFields(node, WRITE_FIELDS, entry, null);
    List<String> methods = node.has("methods") ? texts(node, "methods", entry) : List.of();
    if (!node.has("events")) {
      throw new PolicyConfigException(entry + ": events is required");
    }
    try {
      return WriteRule.of(path, methods, texts(node, "events", entry));
    } catch (PolicyConfigException e) {
      throw new PolicyConfigException(entry + ": " + e.getMessage(), e);
    }
  }

  private static Duration duration(JsonNode node, String field, String entry) {
    JsonNode v = node.get(field);
    try {
      if (v.isIntegralNumber()) {
        if (v.longValue() < 0) {
          throw new IllegalArgumentException("must be >= 0 but was " + v.longValue());
        }
        return PolicyFile.parseDuration(v.asText());
      }
      if (v.isNumber() || v.isTextual()) {
        if (v.asText().trim().startsWith("-")) {
          throw new IllegalArgumentException("must be >= 0 but was " + v.asText());
        }
        return PolicyFile.parseDuration(v.asText());
      }
      throw new IllegalArgumentException("expected a duration such as 60s but got " + kind(v));
    } catch (IllegalArgumentException e) {
      throw new PolicyConfigException(entry + ": " + field + ": " + e.getMessage());
    }
  }

  private static long size(JsonNode node, String field, String entry) {
    JsonNode v = node.get(field);
    if (v.isIntegralNumber() && v.longValue() >= 0) {
      return v.longValue();
    }
    if (v.isTextual()) {
      Matcher m = SIZE.matcher(v.asText().trim());
      if (m.matches()) {
        long n = Long.parseLong(m.group(1));
        String unit = m.group(2) == null ? "B" : m.group(2).toUpperCase(Locale.ROOT);
        int shift = unit.equals("KB") ? 10 : unit.equals("MB") ? 20 : unit.equals("GB") ? 30 : 0;
        return n << shift;
      }
    }
    throw new PolicyConfigException(entry + ": " + field + ": expected a size such as 512KB or 1MB but got " + v);
  }

  private static String requiredText(JsonNode node, String field, String where) {
    if (!node.has(field)) {
      throw new PolicyConfigException(where + ": " + field + " is required");
    }
    return text(node, field, where);
  }

  private static String text(JsonNode node, String field, String entry) {
    JsonNode v = node.get(field);
    if (!v.isTextual()) {
      throw new PolicyConfigException(entry + ": " + field + ": expected a string but got " + kind(v));
    }
    return v.textValue();
  }

  private static List<String> texts(JsonNode node, String field, String entry) {
    JsonNode v = node.get(field);
    if (!v.isArray()) {
      throw new PolicyConfigException(entry + ": " + field + ": expected a list but got " + kind(v));
    }
    List<String> out = new ArrayList<>();
    for (JsonNode item : v) {
      if (!item.isTextual()) {
        throw new PolicyConfigException(entry + ": " + field + ": expected strings but got " + kind(item));
      }
      out.add(item.textValue());
    }
    return out;
  }

  private static void unknownFields(JsonNode node, Set<String> known, String where, String scope) {
    Iterator<String> names = node.fieldNames();
    while (names.hasNext()) {
      String name = names.next();
      if (!known.contains(name)) {
        throw new PolicyConfigException(where + ": unknown field '" + name + "'"
            + (scope == null ? "" : " at the " + scope) + " (known: " + new TreeSet<>(known) + ")");
      }
    }
  }

  private static String kind(JsonNode v) {
    return v.getNodeType().toString().toLowerCase(Locale.ROOT) + " " + v;
  }

  private static String location(JsonProcessingException e) {
    return e.getLocation() == null ? "" : " (line " + e.getLocation().getLineNr() + ", column "
        + e.getLocation().getColumnNr() + ")";
  }
}
