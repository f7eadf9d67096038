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
 * writing it invalidates an event or a tag, or purges a URL (every stored variant of it). Exposed
 * and secured by Actuator's own rules ({@code management.endpoints.web.exposure.include}).
 */
@Endpoint(id = "apicache")
public class ApiCacheEndpoint {
  private final CacheEngine engine;

  /** The endpoint over {@code engine}. */
  public ApiCacheEndpoint(CacheEngine engine) {
    this.engine = requireNonNull(engine, "engine");
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
   * Invalidates {@code event} and {@code tag} and purges {@code url}, each when given; once this
   * returns, no later request is served what they dropped.
   */
  @WriteOperation
  public Map<String, Object> invalidate(@Nullable String event, @Nullable String tag, @Nullable String url) {
    if (event == null && tag == null && url == null) {
      throw new IllegalArgumentException("give event, tag or url");
    }
    Map<String, Object> out = new LinkedHashMap<>();
    if (event != null) {
      out.put("policies", engine.invalidate(event));
    }
    if (tag != null) {
      engine.invalidateTags(tag);
      out.put("tag", tag);
    }
    if (url != null) {
      out.put("cached", engine.purge(url));
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
