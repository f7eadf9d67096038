package dev.apicache.spring;

import static java.util.Objects.requireNonNull;

import dev.apicache.CacheEngine;
import dev.apicache.CacheStats;
import java.util.LinkedHashMap;
import java.util.Map;
import org.jspecify.annotations.Nullable;
import org.springframework.boot.actuate.endpoint.annotation.Endpoint;
import org.springframework.boot.actuate.endpoint.annotation.ReadOperation;
import org.springframework.boot.actuate.endpoint.annotation.WriteOperation;

/**
 * The {@code apicache} Actuator endpoint: reading it returns the counters, in total and per policy;
 * writing it invalidates an event or a tag, or purges (or soft-purges) a URL or a policy. Exposed
 * and secured by Actuator's own rules ({@code management.endpoints.web.exposure.include}).
 *
 * @since 0.1
 */
@Endpoint(id = "apicache")
public class ApiCacheEndpoint {
  private final CacheEngine engine;
  private final String contextPath;

  /** The endpoint over {@code engine}, for an application served at the server's root. */
  public ApiCacheEndpoint(CacheEngine engine) {
    this(engine, "");
  }

  /**
   * The endpoint over {@code engine}; the URLs it purges are relative to {@code contextPath} (such
   * as {@code /shop}), as the policies are.
   */
  public ApiCacheEndpoint(CacheEngine engine, String contextPath) {
    this.engine = requireNonNull(engine, "engine");
    String path = requireNonNull(contextPath, "contextPath");
    this.contextPath = path.endsWith("/") ? path.substring(0, path.length() - 1) : path;
  }

  /** The counters: {@code total} and {@code policies}, each counter by its name. */
  @ReadOperation
  public Map<String, Object> stats() {
    CacheStats stats = engine.stats();
    Map<String, Object> policies = new LinkedHashMap<>();
    stats.byPolicy().forEach((id, counts) -> policies.put(id, counts(counts)));
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("total", counts(stats.total()));
    out.put("policies", policies);
    return out;
  }

  /**
   * Invalidates {@code event} and {@code tag}, and purges {@code url} (every stored variant; path and
   * query relative to the context path) and
   * {@code policy} (every entry of the policy with that id), each when given. With {@code soft}
   * true the purges mark entries stale instead of dropping them ({@link CacheEngine#softPurge}).
   * Once this returns, no later request is served what they dropped, or is served what they marked
   * as fresh.
   */
  @WriteOperation
  public Map<String, Object> invalidate(@Nullable String event, @Nullable String tag, @Nullable String url,
      @Nullable String policy, @Nullable Boolean soft) {
    if (event == null && tag == null && url == null && policy == null) {
      throw new IllegalArgumentException("give event, tag, url or policy");
    }
    boolean softly = Boolean.TRUE.equals(soft);
    Map<String, Object> out = new LinkedHashMap<>();
    if (event != null) {
      out.put("policies", engine.invalidate(event));
    }
    if (tag != null) {
      engine.invalidateTags(tag);
      out.put("tag", tag);
    }
    if (url != null) {
      String whole = contextPath + url;
      out.put("cached", softly ? engine.softPurge(whole) : engine.purge(whole));
    }
    if (policy != null) {
      out.put("policy", softly ? engine.softPurgePolicy(policy) : engine.purgePolicy(policy));
    }
    if (url != null || policy != null) {
      out.put("soft", softly);
    }
    return out;
  }

  private static Map<String, Object> counts(CacheStats.Counts c) {
    Map<String, Object> m = new LinkedHashMap<>();
    long[] v = c.scalars();
    for (int i = 0; i < v.length; i++) {
      m.put(CacheStats.Counts.SCALAR_NAMES.get(i), v[i]);
    }
    m.put("hitRate", c.hitRate());
    m.put("uncacheable", c.uncacheable());
    m.put("bypassReasons", c.bypassReasons());
    return m;
  }
}
