package dev.apicache.demo;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.apicache.CacheEngine;
import dev.apicache.CachePolicies;
import dev.apicache.PolicyFile;
import dev.apicache.adapter.AdminApi;
import dev.apicache.spi.Store;
import dev.apicache.store.caffeine.CaffeineStore;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

/**
 * The demo: the product-catalogue API ({@link ProductApi}) on Javalin, a Servlet container (Jetty)
 * or Helidon SE, each with its apicache adapter in front, over the store it is given.
 */
final class DemoApi implements AutoCloseable {
  static final ObjectMapper JSON = new ObjectMapper();
  /** Where the demo mounts the admin API: {@code GET /_cache/stats} and the rest. */
  static final String ADMIN_PREFIX = "/_cache/";

  /** The frameworks the demo runs on, chosen with {@code --framework}. */
  enum Framework {
    JAVALIN, SERVLET, HELIDON;

    static Framework parse(String text) {
      try {
        return valueOf(text.toUpperCase(Locale.ROOT));
      } catch (IllegalArgumentException e) {
        throw new Main.UsageException("--framework must be javalin, servlet or helidon but was '" + text + "'");
      }
    }

    @Override
    public String toString() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  /** What sits in front of the API: apicache, the layer it replaces (for comparison), or nothing. */
  enum Layer {
    APICACHE, SEED, NONE;

    @Override
    public String toString() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  private final DemoServers.Server server;
  private final CacheEngine engine;
  private final ProductCatalog catalog;
  private final SeedLayer seed;

  private DemoApi(DemoServers.Server server, CacheEngine engine, ProductCatalog catalog, SeedLayer seed) {
    this.server = server;
    this.engine = engine;
    this.catalog = catalog;
    this.seed = seed;
  }

  /**
   * Starts the API behind the replaced layer (on Javalin, its state in Redis at {@code redisUrl}) or
   * behind nothing (on {@code framework}), for comparisons.
   */
  static DemoApi startWithout(Layer layer, Framework framework, String host, int port, ProductCatalog catalog,
      String redisUrl) {
    CacheEngine statsOnly = CacheEngine.builder(CachePolicies.builder().build(),
        CaffeineStore.builder().build()).build();
    ProductApi api = new ProductApi(catalog);
    if (layer == Layer.SEED) {
      SeedLayer seed = new SeedLayer(redisUrl, "seed:" + UUID.randomUUID().toString().substring(0, 8) + ":");
      return new DemoApi(DemoServers.javalin(host, port, null, null, api, seed), statsOnly, catalog, seed);
    }
    try {
      return new DemoApi(DemoServers.start(framework, host, port, null, null, api), statsOnly, catalog, null);
    } catch (Exception e) {
      statsOnly.close();
      throw new IllegalStateException("cannot start the demo on " + framework + ": " + e.getMessage(), e);
    }
  }

  /** Commands the replaced layer sent to Redis; empty for apicache and for no cache. */
  Optional<Long> seedCommands() {
    return Optional.ofNullable(seed).map(SeedLayer::commandsSent);
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

  /** Starts the API on Javalin over the in-process store, at {@code host}:{@code port} (0 picks one). */
  static DemoApi start(String host, int port, CachePolicies policies, ProductCatalog catalog) {
    return start(Framework.JAVALIN, host, port, policies, catalog,
        CaffeineStore.builder().maximumBytes(128L << 20).build(), Optional.empty());
  }

  /**
   * Starts the API on {@code framework} over {@code store}, which the API then owns; with
   * {@code adminToken}, the cache's admin API answers under {@link #ADMIN_PREFIX} for that token.
   */
  static DemoApi start(Framework framework, String host, int port, CachePolicies policies, ProductCatalog catalog,
      Store store, Optional<String> adminToken) {
    return start(framework, host, port, policies, catalog, store, Optional::empty, adminToken);
  }

  /** As above, over the demo's store, whose Redis commands the node reports at {@link ProductApi#NODE_PATH}. */
  static DemoApi start(Framework framework, String host, int port, CachePolicies policies, ProductCatalog catalog,
      DemoStore store, Optional<String> adminToken) {
    return start(framework, host, port, policies, catalog, store.store(), store::redisCommands, adminToken);
  }

  private static DemoApi start(Framework framework, String host, int port, CachePolicies policies,
      ProductCatalog catalog, Store store, java.util.function.Supplier<Optional<Long>> redisCommands,
      Optional<String> adminToken) {
    // replicas over a store with leases fill a key once between them, not once each
    CacheEngine engine = CacheEngine.builder(policies, store).clusterWideMisses(Duration.ofMillis(500)).build();
    ProductApi api = new ProductApi(catalog, redisCommands, adminToken);
    DemoServers.Server server;
    try {
      AdminApi admin = adminToken.map(t -> AdminApi.of(engine, t, ADMIN_PREFIX)).orElse(null);
      server = DemoServers.start(framework, host, port, engine, admin, api);
    } catch (Exception e) {
      engine.close();
      throw new IllegalStateException("cannot start the demo on " + framework + ": " + e.getMessage(), e);
    }
    return new DemoApi(server, engine, catalog, null);
  }

  int port() {
    return server.port();
  }

  /** The framework the API runs on. */
  Framework framework() {
    return server.framework();
  }

  CacheEngine engine() {
    return engine;
  }

  ProductCatalog catalog() {
    return catalog;
  }

  @Override
  public void close() {
    server.close();
    engine.close();
    if (seed != null) {
      seed.close();
    }
  }
}
