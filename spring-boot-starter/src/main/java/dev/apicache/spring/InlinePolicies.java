package dev.apicache.spring;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code apicache.policies} and {@code apicache.writes}, as bound by Spring, turned into the policy
 * document's tree (its field names, durations in milliseconds), for the one reader that checks
 * policy files too.
 */
final class InlinePolicies {
  private InlinePolicies() {}

  static Map<String, Object> tree(ApiCacheProperties properties) {
    List<Map<String, Object>> policies = new ArrayList<>();
    for (ApiCacheProperties.Policy p : properties.policies()) {
      Map<String, Object> m = new LinkedHashMap<>();
      put(m, "path", p.path());
      list(m, "methods", p.methods());
      duration(m, "ttl", p.ttl());
      duration(m, "staleWhileRevalidate", p.staleWhileRevalidate());
      duration(m, "staleIfError", p.staleIfError());
      list(m, "varyBy", p.varyBy());
      list(m, "invalidateOn", p.invalidateOn());
      list(m, "tags", p.tags());
      put(m, "cacheControl", p.cacheControl());
      put(m, "maxBodySize", p.maxBodySize());
      put(m, "shared", p.shared());
      put(m, "shareAcrossHosts", p.shareAcrossHosts());
      put(m, "freshness", p.freshness());
      duration(m, "minTtl", p.minTtl());
      duration(m, "maxTtl", p.maxTtl());
      put(m, "compress", p.compress());
      policies.add(m);
    }
    List<Map<String, Object>> writes = new ArrayList<>();
    for (ApiCacheProperties.Write w : properties.writes()) {
      Map<String, Object> m = new LinkedHashMap<>();
      put(m, "path", w.path());
      list(m, "methods", w.methods());
      list(m, "events", w.events());
      writes.add(m);
    }
    Map<String, Object> root = new LinkedHashMap<>();
    root.put("policies", policies);
    if (!writes.isEmpty()) {
      root.put("writes", writes);
    }
    return root;
  }

  private static void put(Map<String, Object> m, String key, Object value) {
    if (value != null) {
      m.put(key, value);
    }
  }

  private static void list(Map<String, Object> m, String key, List<String> values) {
    if (values != null && !values.isEmpty()) {
      m.put(key, values);
    }
  }

  private static void duration(Map<String, Object> m, String key, Duration value) {
    if (value != null) {
      m.put(key, value.toMillis() + "ms");
    }
  }
}
