package dev.apicache.adapter;

import static java.util.Objects.requireNonNull;

import dev.apicache.CacheEngine;
import dev.apicache.CacheRequest;
import dev.apicache.CacheResponse;
import dev.apicache.CacheStats;
import dev.apicache.StoreException;
import dev.apicache.http.HeaderNames;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The cache's admin API, framework-neutral: an adapter or the proxy hands it each request under its
 * prefix (default {@code /_apicache/}) and sends what it answers. Every call needs
 * {@code Authorization: Bearer <token>} (compared in constant time); without it the answer is 401.
 *
 * <ul>
 *   <li>{@code GET stats}: the counters, in total and per policy, as JSON;
 *   <li>{@code POST invalidate?event=E&tag=T}: invalidates events and tags (each repeatable);
 *   <li>{@code POST purge?url=/path}: purges every stored variant of each URL (repeatable);
 *   <li>{@code POST purge?policy=ID}: purges every entry of each policy (repeatable);
 *   <li>{@code POST soft-purge?url=/path&policy=ID}: as {@code purge}, but marks the entries stale
 *       instead (see {@link CacheEngine#softPurge}): they are served stale while one revalidation
 *       refreshes each.
 * </ul>
 *
 * <p>Answers are JSON with {@code Cache-Control: no-store}: 405 for a wrong method, 404 for another
 * path, 400 without parameters, 503 when the store could not record an invalidation (retry it).
 * Thread-safe.
 *
 * @since 0.1
 */
public final class AdminApi {
  /** Where the API lives unless told otherwise. */
  public static final String DEFAULT_PREFIX = "/_apicache/";

  private final CacheEngine engine;
  private final byte[] expected;
  private final String prefix;

  private AdminApi(CacheEngine engine, String token, String prefix) {
    this.engine = engine;
    this.expected = ("Bearer " + token).getBytes(StandardCharsets.UTF_8);
    this.prefix = prefix;
  }

  /**
   * The API over {@code engine}, for callers with {@code token} (at least 16 characters), under
   * {@link #DEFAULT_PREFIX}.
   */
  public static AdminApi of(CacheEngine engine, String token) {
    return of(engine, token, DEFAULT_PREFIX);
  }

  /** The API under {@code prefix}, which starts and ends with {@code /}. */
  public static AdminApi of(CacheEngine engine, String token, String prefix) {
    requireNonNull(engine, "engine");
    requireNonNull(token, "token");
    requireNonNull(prefix, "prefix");
    if (token.length() < 16) {
      throw new IllegalArgumentException("the admin token must be at least 16 characters but has " + token.length());
    }
    if (!prefix.startsWith("/") || !prefix.endsWith("/") || prefix.length() < 3) {
      throw new IllegalArgumentException("the admin prefix must start and end with / but was '" + prefix + "'");
    }
    return new AdminApi(engine, token, prefix);
  }

  /** Whether {@code path} is this API's: the caller then sends {@link #handle}'s answer instead of routing it. */
  public boolean owns(String path) {
    return path.startsWith(prefix);
  }

  /** The answer to {@code request}, whose path this API {@linkplain #owns owns}. */
  public CacheResponse handle(CacheRequest request) {
    requireNonNull(request, "request");
    String given = request.headers().first(HeaderNames.AUTHORIZATION).orElse("");
    if (!MessageDigest.isEqual(given.getBytes(StandardCharsets.UTF_8), expected)) {
      return CacheResponse.builder(401).header("WWW-Authenticate", "Bearer realm=\"apicache\"")
          .header(HeaderNames.CACHE_CONTROL, "no-store").header(HeaderNames.CONTENT_TYPE, "application/json")
          .body("{\"error\":\"a valid admin token is required\"}\n").build();
    }
    String action = request.path().substring(Math.min(prefix.length(), request.path().length()));
    Map<String, List<String>> query = query(request.rawQuery());
    try {
      switch (action) {
        case "stats":
          return request.method().equals("GET") ? json(200, statsJson(engine.stats())) : notAllowed("GET");
        case "invalidate":
          return request.method().equals("POST") ? invalidate(query) : notAllowed("POST");
        case "purge":
          return request.method().equals("POST") ? purge(query, false) : notAllowed("POST");
        case "soft-purge":
          return request.method().equals("POST") ? purge(query, true) : notAllowed("POST");
        default:
          return json(404, "{\"error\":\"unknown admin path; use GET " + prefix + "stats, POST " + prefix
              + "invalidate, POST " + prefix + "purge or POST " + prefix + "soft-purge\"}");
      }
    } catch (StoreException e) {
      return json(503, "{\"error\":\"the store could not record it; retry\"}");
    }
  }

  private CacheResponse invalidate(Map<String, List<String>> query) {
    List<String> events = query.getOrDefault("event", List.of());
    List<String> tags = query.getOrDefault("tag", List.of());
    if (events.isEmpty() && tags.isEmpty() || blank(events) || blank(tags)) {
      return json(400, "{\"error\":\"give one or more event=... or tag=... query parameters\"}");
    }
    int policies = 0;
    for (String event : events) {
      policies += engine.invalidate(event);
    }
    if (!tags.isEmpty()) {
      engine.invalidateTags(tags);
    }
    return json(200, "{\"events\":" + events.size() + ",\"policies\":" + policies + ",\"tags\":" + tags.size() + "}");
  }

  private CacheResponse purge(Map<String, List<String>> query, boolean soft) {
    List<String> urls = query.getOrDefault("url", List.of());
    List<String> policies = query.getOrDefault("policy", List.of());
    if (urls.isEmpty() && policies.isEmpty() || blank(urls) || blank(policies)) {
      return json(400, "{\"error\":\"give one or more url=... or policy=... query parameters\"}");
    }
    int cached = 0;
    for (String url : urls) {
      cached += (soft ? engine.softPurge(url) : engine.purge(url)) ? 1 : 0;
    }
    int known = 0;
    for (String policy : policies) {
      known += (soft ? engine.softPurgePolicy(policy) : engine.purgePolicy(policy)) ? 1 : 0;
    }
    return json(200, "{\"urls\":" + urls.size() + ",\"cached\":" + cached + ",\"policies\":" + known
        + ",\"soft\":" + soft + "}");
  }

  private static boolean blank(List<String> values) {
    return values.stream().anyMatch(String::isBlank);
  }

  private static CacheResponse notAllowed(String method) {
    return json(405, "{\"error\":\"use " + method + "\"}").toBuilder().header("Allow", method).build();
  }

  private static CacheResponse json(int status, String body) {
    return CacheResponse.builder(status).header(HeaderNames.CONTENT_TYPE, "application/json")
        .header(HeaderNames.CACHE_CONTROL, "no-store").body(body + "\n").build();
  }

  /** The counters as JSON: {@code {"total":{...},"policies":{"<id>":{...}}}}, every counter by its name. */
  static String statsJson(CacheStats stats) {
    StringBuilder b = new StringBuilder("{\"total\":");
    counts(b, stats.total());
    b.append(",\"policies\":{");
    boolean first = true;
    for (Map.Entry<String, CacheStats.Counts> e : stats.byPolicy().entrySet()) {
      if (!first) {
        b.append(',');
      }
      first = false;
      string(b, e.getKey());
      b.append(':');
      counts(b, e.getValue());
    }
    return b.append("}}").toString();
  }

  private static void counts(StringBuilder b, CacheStats.Counts c) {
    b.append('{');
    long[] v = c.scalars();
    for (int i = 0; i < v.length; i++) {
      string(b, CacheStats.Counts.SCALAR_NAMES.get(i));
      b.append(':').append(v[i]).append(',');
    }
    // the replaced layer's dashboards read one invalidations total
    b.append("\"invalidations\":").append(c.invalidations()).append(',');
    b.append("\"hitRate\":").append(Math.round(c.hitRate() * 10_000) / 10_000.0);
    map(b, "uncacheable", c.uncacheable());
    map(b, "bypassReasons", c.bypassReasons());
    b.append('}');
  }

  private static void map(StringBuilder b, String name, Map<String, Long> values) {
    b.append(',');
    string(b, name);
    b.append(":{");
    boolean first = true;
    for (Map.Entry<String, Long> e : new TreeMap<>(values).entrySet()) {
      if (!first) {
        b.append(',');
      }
      first = false;
      string(b, e.getKey());
      b.append(':').append(e.getValue());
    }
    b.append('}');
  }

  private static void string(StringBuilder b, String s) {
    b.append('"');
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c == '"' || c == '\\') {
        b.append('\\').append(c);
      } else if (c < 0x20) {
        b.append(String.format("\\u%04x", (int) c));
      } else {
        b.append(c);
      }
    }
    b.append('"');
  }

  private static Map<String, List<String>> query(String raw) {
    Map<String, List<String>> out = new LinkedHashMap<>();
    if (raw == null || raw.isEmpty()) {
      return out;
    }
    for (String pair : raw.split("&")) {
      if (pair.isEmpty()) {
        continue;
      }
      int eq = pair.indexOf('=');
      String name = decode(eq < 0 ? pair : pair.substring(0, eq));
      String value = eq < 0 ? "" : decode(pair.substring(eq + 1));
      out.computeIfAbsent(name, k -> new ArrayList<>()).add(value);
    }
    return out;
  }

  private static String decode(String s) {
    try {
      return URLDecoder.decode(s, StandardCharsets.UTF_8);
    } catch (IllegalArgumentException malformed) {
      return s; // a broken escape stays as sent; the engine then finds no such URL, event or tag
    }
  }
}
