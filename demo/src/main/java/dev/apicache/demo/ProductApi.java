package dev.apicache.demo;

import com.fasterxml.jackson.databind.JsonNode;
import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import dev.apicache.CacheRequest;
import dev.apicache.CacheResponse;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.TreeSet;
import java.util.function.Supplier;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The demo's product-catalogue API, written once over the request/response model so that every
 * framework serves the very same application (each registers one catch-all route to it).
 *
 * <p>{@code GET /api/config} varies on {@code X-Tenant-Id}, a header that the trusted gateway in front
 * of the service sets from the caller's credentials (clients cannot choose it).
 */
final class ProductApi {
  /**
   * Where a node says what it sent its database and Redis, for the admin token only: what a
   * multi-node scenario adds up.
   */
  static final String NODE_PATH = "/_demo/node";

  private final ProductCatalog catalog;
  private final Supplier<Optional<Long>> redisCommands;
  private final Optional<String> adminToken;
  /** Visits per user of {@code /api/user/profile}; bounded, since clients name the user. */
  private final Cache<String, AtomicLong> visits = Caffeine.newBuilder().maximumSize(MAX_USERS).build();

  /** How many users' visits are kept, the least recent dropped first. */
  static final int MAX_USERS = 10_000;

  ProductApi(ProductCatalog catalog) {
    this(catalog, Optional::empty, Optional.empty());
  }

  /** With {@code adminToken}, {@link #NODE_PATH} answers that bearer token; without, it does not exist. */
  ProductApi(ProductCatalog catalog, Supplier<Optional<Long>> redisCommands, Optional<String> adminToken) {
    this.catalog = catalog;
    this.redisCommands = redisCommands;
    this.adminToken = adminToken;
  }

  CacheResponse handle(CacheRequest r) {
    String path = r.path();
    String method = r.method().equals("HEAD") ? "GET" : r.method();
    if (path.equals("/api/products")) {
      switch (method) {
        case "GET":
          Map<String, String> q = query(r.rawQuery());
          Optional<String> category = Optional.ofNullable(q.get("category")).filter(c -> !c.isEmpty());
          if (category.isPresent() && !isText(category.get())) {
            return json(400, Map.of("error", "category must be text without control characters"));
          }
          return json(200, catalog.list(category, intParam(q.get("page"), 1)));
        case "POST":
          return productBody(r).map(b -> {
            ProductCatalog.Product p = catalog.create(b.get("name").asText(), b.get("category").asText(),
                b.get("price").asDouble());
            return json(201, p).toBuilder().header("Location", "/api/products/" + p.id()).build();
          }).orElseGet(ProductApi::badProduct);
        default:
          return json(405, Map.of("error", "method not allowed"));
      }
    }
    if (path.startsWith("/api/products/")) {
      Optional<Integer> id = parseId(path.substring("/api/products/".length()));
      if (id.isEmpty()) {
        return json(400, Map.of("error", "id must be a number"));
      }
      switch (method) {
        case "GET":
          return catalog.get(id.get()).map(p -> json(200, p)).orElseGet(ProductApi::notFound);
        case "PUT":
          Optional<JsonNode> body = productBody(r);
          if (body.isEmpty()) {
            return badProduct();
          }
          return catalog.update(id.get(), body.get().get("name").asText(), body.get().get("category").asText(),
              body.get().get("price").asDouble()).map(p -> json(200, p)).orElseGet(ProductApi::notFound);
        case "DELETE":
          return catalog.delete(id.get()) ? CacheResponse.builder(204).build() : notFound();
        default:
          return json(405, Map.of("error", "method not allowed"));
      }
    }
    if (!method.equals("GET")) {
      return json(405, Map.of("error", "method not allowed"));
    }
    switch (path) {
      case NODE_PATH:
        if (adminToken.isEmpty()) {
          return json(404, Map.of("error", "no such resource"));
        }
        if (!AdminToken.matches(adminToken.get(), r.headers().first("Authorization").orElse(""))) {
          return json(401, Map.of("error", "needs Authorization: Bearer <admin token>"));
        }
        Map<String, Object> node = new LinkedHashMap<>();
        node.put("queries", catalog.queries());
        if (r.rawQuery().contains("reads")) {
          node.put("readOnce", new TreeSet<>(catalog.readOnce()));
        }
        redisCommands.get().ifPresent(n -> node.put("redisCommands", n));
        return json(200, node);
      case "/api/categories":
        return json(200, catalog.categories());
      case "/api/config":
        String tenant = r.headers().first("X-Tenant-Id").orElse("default");
        if (!isText(tenant)) {
          return json(400, Map.of("error", "X-Tenant-Id must be text without control characters"));
        }
        return json(200, catalog.config(tenant));
      case "/api/user/profile":
        String user = r.headers().first("X-User").orElse("anonymous");
        return json(200, Map.of("user", user, "visits", visits.get(user, u -> new AtomicLong()).incrementAndGet()));
      default:
        return json(404, Map.of("error", "no such resource"));
    }
  }

  /** How many users' visits are kept now (at most {@link #MAX_USERS}, once evictions have run). */
  long usersTracked() {
    visits.cleanUp();
    return visits.estimatedSize();
  }

  /**
   * Whether {@code value} may reach the database as text: no control characters (a NUL is refused
   * by PostgreSQL, and none belongs in a category, tenant or name).
   */
  private static boolean isText(String value) {
    for (int i = 0; i < value.length(); i++) {
      char c = value.charAt(i);
      if (c < 0x20 || c == 0x7f) {
        return false;
      }
    }
    return true;
  }

  private static CacheResponse notFound() {
    return json(404, Map.of("error", "no such product"));
  }

  private static CacheResponse badProduct() {
    return json(400, Map.of("error", "expected {\"name\": string, \"category\": string, \"price\": number},"
        + " text without control characters"));
  }

  private static Optional<Integer> parseId(String text) {
    try {
      return Optional.of(Integer.parseInt(text));
    } catch (NumberFormatException e) {
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

  private static Map<String, String> query(String raw) {
    Map<String, String> out = new HashMap<>();
    for (String pair : raw.split("&")) {
      if (pair.isEmpty()) {
        continue;
      }
      int eq = pair.indexOf('=');
      try {
        String name = URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8);
        out.putIfAbsent(name, eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
      } catch (IllegalArgumentException malformed) {
        // a parameter we cannot read is one we do not use
      }
    }
    return out;
  }

  /** The request's product, when its body is one. */
  private static Optional<JsonNode> productBody(CacheRequest r) {
    try {
      JsonNode node = DemoApi.JSON.readTree(r.body().toByteArray());
      if (node != null && node.isObject() && node.path("name").isTextual() && node.path("category").isTextual()
          && node.path("price").isNumber() && isText(node.path("name").asText())
          && isText(node.path("category").asText())) {
        return Optional.of(node);
      }
    } catch (IOException e) {
      // not JSON: the caller answers 400
    }
    return Optional.empty();
  }

  static CacheResponse json(int status, Object body) {
    try {
      return CacheResponse.builder(status).header("Content-Type", "application/json")
          .body(dev.apicache.Bytes.copyOf(DemoApi.JSON.writeValueAsBytes(body))).build();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
