package dev.apicache.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.apicache.CacheEngine;
import dev.apicache.CachePolicies;
import dev.apicache.CacheStats;
import dev.apicache.PolicyFile;
import dev.apicache.adapter.javalin.ApiCachePlugin;
import dev.apicache.spi.Store;
import dev.apicache.store.caffeine.CaffeineStore;
import io.javalin.Javalin;
import io.javalin.http.Context;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The demo: a product-catalogue API on Javalin, cached by apicache over the Caffeine store.
 *
 * <p>{@code /api/config} varies on {@code X-Tenant-Id}, a header that the trusted gateway in front
 * of the service sets from the caller's credentials (clients cannot choose it); {@code /_cache/stats}
 * shows what the cache did.
 */
final class DemoApi implements AutoCloseable {
  static final ObjectMapper JSON = new ObjectMapper();

  private final Javalin javalin;
  private final CacheEngine engine;
  private final ProductCatalog catalog;

  private DemoApi(Javalin javalin, CacheEngine engine, ProductCatalog catalog) {
    this.javalin = javalin;
    this.engine = engine;
    this.catalog = catalog;
  }

  /** The built-in policies (the seed's endpoints), or those of {@code file}. */
  static CachePolicies policies(Optional<Path> file) {
    if (file.isPresent()) {
      return PolicyFile.load(file.get(), Map.of());
    }
    try (InputStream in = DemoApi.class.getResourceAsStream("/demo-policies.yaml")) {
      return PolicyFile.parse(new String(in.readAllBytes(), StandardCharsets.UTF_8), "demo-policies.yaml", Map.of());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Starts the API on {@code host}:{@code port} (0 picks a free port) over the in-process store. */
  static DemoApi start(String host, int port, CachePolicies policies, ProductCatalog catalog) {
    return start(host, port, policies, catalog, CaffeineStore.builder().maximumBytes(128L << 20).build());
  }

  /** Starts the API on {@code host}:{@code port} over {@code store}, which the API then owns. */
  static DemoApi start(String host, int port, CachePolicies policies, ProductCatalog catalog, Store store) {
    CacheEngine engine = CacheEngine.builder(policies, store).build();
    Map<String, AtomicLong> visits = new ConcurrentHashMap<>();
    Javalin javalin = Javalin.create(config -> {
      config.jetty.host = host;
      config.startup.showJavalinBanner = false;
      // a miss holds its request thread while the loopback origin call needs another one
      config.concurrency.useVirtualThreads = true;
      config.registerPlugin(ApiCachePlugin.create(engine));
      config.routes.get("/api/products", ctx -> {
        int page = intParam(ctx.queryParam("page"), 1);
        json(ctx, 200, catalog.list(Optional.ofNullable(ctx.queryParam("category")).filter(c -> !c.isEmpty()), page));
      });
      config.routes.get("/api/products/{id}", ctx -> {
        Optional<ProductCatalog.Product> p = id(ctx).flatMap(catalog::get);
        if (p.isPresent()) {
          json(ctx, 200, p.get());
        } else {
          json(ctx, 404, Map.of("error", "no such product"));
        }
      });
      config.routes.post("/api/products", ctx -> {
        Optional<JsonNode> body = productBody(ctx);
        if (body.isEmpty()) {
          return;
        }
        ProductCatalog.Product p = catalog.create(body.get().get("name").asText(), body.get().get("category").asText(),
            body.get().get("price").asDouble());
        ctx.header("Location", "/api/products/" + p.id());
        json(ctx, 201, p);
      });
      config.routes.put("/api/products/{id}", ctx -> {
        Optional<Integer> id = id(ctx);
        Optional<JsonNode> body = id.isEmpty() ? Optional.empty() : productBody(ctx);
        if (id.isEmpty() || body.isEmpty()) {
          return;
        }
        Optional<ProductCatalog.Product> p = catalog.update(id.get(), body.get().get("name").asText(),
            body.get().get("category").asText(), body.get().get("price").asDouble());
        if (p.isPresent()) {
          json(ctx, 200, p.get());
        } else {
          json(ctx, 404, Map.of("error", "no such product"));
        }
      });
      config.routes.delete("/api/products/{id}", ctx -> {
        Optional<Integer> id = id(ctx);
        if (id.isPresent() && catalog.delete(id.get())) {
          ctx.status(204);
        } else if (id.isPresent()) {
          json(ctx, 404, Map.of("error", "no such product"));
        }
      });
      config.routes.get("/api/categories", ctx -> json(ctx, 200, catalog.categories()));
      config.routes.get("/api/config", ctx -> {
        String tenant = Optional.ofNullable(ctx.header("X-Tenant-Id")).orElse("default");
        json(ctx, 200, catalog.config(tenant));
      });
      config.routes.get("/api/user/profile", ctx -> {
        String user = Optional.ofNullable(ctx.header("X-User")).orElse("anonymous");
        long n = visits.computeIfAbsent(user, u -> new AtomicLong()).incrementAndGet();
        json(ctx, 200, Map.of("user", user, "visits", n));
      });
      config.routes.get("/_cache/stats", ctx -> json(ctx, 200, statsJson(engine.stats())));
    }).start(port);
    return new DemoApi(javalin, engine, catalog);
  }

  int port() {
    return javalin.port();
  }

  CacheEngine engine() {
    return engine;
  }

  ProductCatalog catalog() {
    return catalog;
  }

  @Override
  public void close() {
    javalin.stop();
    engine.close();
  }

  private static Optional<Integer> id(Context ctx) {
    try {
      return Optional.of(Integer.parseInt(ctx.pathParam("id")));
    } catch (NumberFormatException e) {
      json(ctx, 400, Map.of("error", "id must be a number"));
      return Optional.empty();
    }
  }

  private static int intParam(String value, int fallback) {
    try {
      return value == null ? fallback : Math.max(1, Integer.parseInt(value));
    } catch (NumberFormatException e) {
      return fallback;
    }
  }

  /** The request's product, or empty after answering 400 with what is wrong. */
  private static Optional<JsonNode> productBody(Context ctx) {
    JsonNode node;
    try {
      node = JSON.readTree(ctx.bodyAsBytes());
    } catch (IOException e) {
      json(ctx, 400, Map.of("error", "body must be JSON: " + e.getMessage()));
      return Optional.empty();
    }
    if (node == null || !node.isObject() || !node.path("name").isTextual() || !node.path("category").isTextual()
        || !node.path("price").isNumber()) {
      json(ctx, 400, Map.of("error", "expected {\"name\": string, \"category\": string, \"price\": number}"));
      return Optional.empty();
    }
    return Optional.of(node);
  }

  private static void json(Context ctx, int status, Object body) {
    try {
      ctx.status(status).contentType("application/json").result(JSON.writeValueAsBytes(body));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The stats snapshot with the names of the layer apicache replaces, and the rest of the counters. */
  static Map<String, Object> statsJson(CacheStats stats) {
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("total", counts(stats.total()));
    Map<String, Object> policies = new TreeMap<>();
    stats.byPolicy().forEach((id, c) -> policies.put(id, counts(c)));
    out.put("policies", policies);
    return out;
  }

  private static Map<String, Object> counts(CacheStats.Counts c) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("hits", c.hits());
    m.put("misses", c.misses());
    m.put("staleHits", c.staleHits());
    m.put("conditionalHits", c.conditionalHits());
    m.put("invalidations", c.invalidations());
    m.put("hitRate", Math.round(c.hitRate() * 10_000) / 10_000.0);
    m.put("bypasses", c.bypasses());
    m.put("bypassReasons", new TreeMap<>(c.bypassReasons()));
    m.put("originCalls", c.originCalls());
    m.put("coalescedWaits", c.coalescedWaits());
    m.put("revalidations", c.revalidations());
    m.put("revalidationFailures", c.revalidationFailures());
    m.put("staleIfErrorServes", c.staleIfErrorServes());
    m.put("uncacheable", new TreeMap<>(c.uncacheable()));
    m.put("storeErrors", c.storeErrors());
    m.put("eventInvalidations", c.eventInvalidations());
    m.put("tagInvalidations", c.tagInvalidations());
    m.put("purges", c.purges());
    m.put("bytesServed", c.bytesServed());
    m.put("bytesSavedByNotModified", c.bytesSavedByNotModified());
    return m;
  }
}
