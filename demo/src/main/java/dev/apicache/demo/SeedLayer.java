package dev.apicache.demo;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.javalin.http.Context;
import io.lettuce.core.RedisClient;
import io.lettuce.core.SetArgs;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.LongAdder;

/**
 * A faithful re-implementation, for comparison only, of the cache layer apicache replaces (the
 * TypeScript middleware in the project's seed): prefix route matching, keys joined with ':', vary
 * values from the query or a client's {@code x-<name>} header, a separate ETag key compared as a whole
 * string, a stats {@code HINCRBY} on every request, background refetch of the path without its query,
 * {@code KEYS} + {@code DEL} invalidation, no coalescing, no fences. Its flaws are the point: the
 * scenario shows what they cost. Not part of apicache.
 */
final class SeedLayer implements AutoCloseable {
  private record Config(String path, int ttl, int swr, List<String> varyBy, List<String> invalidateOn) {}

  private static final List<Config> CONFIGS = List.of(
      new Config("/api/products", 60, 30, List.of("category", "page"),
          List.of("product.created", "product.updated", "product.deleted")),
      new Config("/api/categories", 300, 60, List.of(), List.of("category.updated")),
      new Config("/api/config", 600, 120, List.of("tenant"), List.of("config.updated")),
      new Config("/api/user/profile", 0, 0, List.of(), List.of()));
  private static final String MARK = SeedLayer.class.getName() + ".key";

  private final RedisClient client;
  private final StatefulRedisConnection<String, String> connection;
  private final String namespace;
  private final LongAdder commands = new LongAdder();
  private final ExecutorService background = Executors.newVirtualThreadPerTaskExecutor();
  private final HttpClient http = HttpClient.newHttpClient();
  private volatile String internalUrl;

  SeedLayer(String redisUrl, String namespace) {
    this.client = RedisClient.create(redisUrl);
    this.connection = client.connect();
    this.namespace = namespace;
  }

  long commandsSent() {
    return commands.sum();
  }

  private RedisCommands<String, String> redis() {
    commands.increment();
    return connection.sync();
  }

  private static Optional<Config> findConfig(String path, String method) {
    return CONFIGS.stream().filter(c -> path.startsWith(c.path()) && method.equals("GET")).findFirst();
  }

  private String key(Context ctx, Config config) {
    StringBuilder vary = new StringBuilder();
    for (int i = 0; i < config.varyBy().size(); i++) {
      String v = config.varyBy().get(i);
      String value = Optional.ofNullable(ctx.queryParam(v)).orElse(Optional.ofNullable(ctx.header("x-" + v)).orElse(""));
      vary.append(i == 0 ? "" : ":").append(value);
    }
    return namespace + "cache:" + ctx.path() + ":" + vary;
  }

  /** The middleware's first half: answer from Redis, or mark the request to be cached after the handler. */
  void before(Context ctx) throws Exception {
    if (ctx.header("X-Cache-Bypass") != null) {
      return;
    }
    if (internalUrl == null) {
      internalUrl = "http://127.0.0.1:" + ctx.port();
    }
    Optional<Config> config = findConfig(ctx.path(), ctx.method().name());
    if (config.isEmpty() || config.get().ttl() == 0) {
      return;
    }
    String key = key(ctx, config.get());
    String ifNoneMatch = ctx.header("If-None-Match");
    if (ifNoneMatch != null) {
      String etag = redis().get(key + ":etag");
      if (etag != null && etag.equals(ifNoneMatch)) {
        redis().hincrby(namespace + "cache:stats", "conditionalHits", 1);
        ctx.status(304);
        ctx.skipRemainingHandlers();
        return;
      }
    }
    String cached = redis().get(key);
    if (cached != null) {
      JsonNode entry = DemoApi.JSON.readTree(cached);
      double age = (System.currentTimeMillis() - entry.get("cachedAt").asLong()) / 1000.0;
      if (age < config.get().ttl()) {
        redis().hincrby(namespace + "cache:stats", "hits", 1);
        ctx.header("X-Cache", "HIT").header("ETag", entry.get("etag").asText())
            .header("Age", Long.toString((long) Math.ceil(age)));
        respond(ctx, entry);
        return;
      }
      if (age < config.get().ttl() + config.get().swr()) {
        redis().hincrby(namespace + "cache:stats", "staleHits", 1);
        ctx.header("X-Cache", "STALE").header("ETag", entry.get("etag").asText());
        String path = ctx.path();
        background.execute(() -> revalidate(path, config.get(), key));
        respond(ctx, entry);
        return;
      }
    }
    redis().hincrby(namespace + "cache:stats", "misses", 1);
    ctx.attribute(MARK, key + "\n" + config.get().path());
  }

  private static void respond(Context ctx, JsonNode entry) {
    ctx.status(entry.get("status").asInt()).contentType("application/json");
    // the original re-parses the stored JSON body on every hit: c.json(JSON.parse(entry.body))
    try {
      ctx.result(DemoApi.JSON.writeValueAsBytes(DemoApi.JSON.readTree(entry.get("body").asText())));
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
    ctx.skipRemainingHandlers();
  }

  /** The middleware's second half: cache what the handler produced (any status below 400). */
  void after(Context ctx) throws Exception {
    String mark = ctx.attribute(MARK);
    String method = ctx.method().name();
    if (!method.equals("GET") && ctx.path().startsWith("/api/products") && ctx.statusCode() < 400) {
      invalidate(method.equals("POST") ? "product.created" : method.equals("DELETE") ? "product.deleted"
          : "product.updated");
    }
    if (mark == null || ctx.statusCode() >= 400) {
      return;
    }
    String key = mark.substring(0, mark.indexOf('\n'));
    Config config = findConfig(mark.substring(mark.indexOf('\n') + 1), "GET").orElseThrow();
    String body = ctx.result();
    store(key, config, ctx.statusCode(), body);
    ctx.header("X-Cache", "MISS").header("ETag", etag(body)).header("Cache-Control", "max-age=" + config.ttl());
  }

  private void store(String key, Config config, int status, String body) {
    ObjectNode entry = DemoApi.JSON.createObjectNode();
    entry.put("body", body).put("status", status).put("etag", etag(body)).put("cachedAt", System.currentTimeMillis())
        .put("ttl", config.ttl());
    long expiry = config.ttl() + config.swr();
    redis().setex(key, expiry, entry.toString());
    redis().setex(key + ":etag", expiry, etag(body));
  }

  /** Refetches INTERNAL_URL + path, without the query string, and stores it under the request's key. */
  private void revalidate(String path, Config config, String key) {
    if (!"OK".equals(redis().set(key + ":revalidating", "1", SetArgs.Builder.nx().ex(10)))) {
      return;
    }
    try {
      HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(internalUrl + path))
          .header("X-Cache-Bypass", "1").build(), HttpResponse.BodyHandlers.ofString());
      if (r.statusCode() < 300) {
        store(key, config, r.statusCode(), r.body());
      }
    } catch (IOException | InterruptedException e) {
      // the original swallows it too: .catch(() => {})
    } finally {
      redis().del(key + ":revalidating");
    }
  }

  /** KEYS pattern, then DEL: what the original's invalidate(event) does. */
  void invalidate(String event) {
    for (Config c : CONFIGS) {
      if (c.invalidateOn().contains(event)) {
        List<String> keys = redis().keys(namespace + "cache:" + c.path() + ":*");
        if (!keys.isEmpty()) {
          redis().del(keys.toArray(String[]::new));
        }
        redis().hincrby(namespace + "cache:stats", "invalidations", keys.size());
      }
    }
  }

  private static String etag(String body) {
    try {
      byte[] md5 = MessageDigest.getInstance("MD5").digest(body.getBytes(StandardCharsets.UTF_8));
      return HexFormat.of().formatHex(md5).substring(0, 16);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Removes this run's keys (its stats hash has no expiry), by SCAN, so the shared Redis is left as found. */
  @Override
  public void close() {
    background.shutdownNow();
    try {
      RedisKeys.deleteMatching(connection.sync(), namespace + "*");
    } catch (RuntimeException e) {
      // Redis went away: what is left of this run expires, except the stats hash
    }
    connection.close();
    client.shutdown();
  }
}
