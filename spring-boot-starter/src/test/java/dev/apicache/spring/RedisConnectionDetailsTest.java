package dev.apicache.spring;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.apicache.CacheEngine;
import dev.apicache.CacheRequest;
import dev.apicache.CacheResponse;
import dev.apicache.spi.Store;
import dev.apicache.store.redis.testing.RedisClusterProcess;
import dev.apicache.store.redis.testing.RedisProcess;
import dev.apicache.store.redis.RedisStore;
import java.net.URI;
import java.time.Duration;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.data.redis.autoconfigure.DataRedisAutoConfiguration;
import org.springframework.boot.data.redis.autoconfigure.DataRedisConnectionDetails;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.ApplicationContext;

/**
 * {@code apicache.store=redis} follows Spring Boot's own Redis connection details, over real
 * servers: a {@code @ServiceConnection}-style bean, Sentinel and a Cluster, each from the same
 * settings Spring Data Redis reads.
 */
class RedisConnectionDetailsTest {
  private final ApplicationContextRunner runner = new ApplicationContextRunner()
      .withConfiguration(AutoConfigurations.of(DataRedisAutoConfiguration.class, ApiCacheAutoConfiguration.class,
          ApiCacheFallbackAutoConfiguration.class))
      .withPropertyValues("apicache.store=redis", "apicache.key-prefix=details-" + UUID.randomUUID() + ":",
          "apicache.policies[0].path=/api/x", "apicache.policies[0].ttl=60s");

  /** Fills through the context's engine until a second request is a hit: the store answers. */
  private static void servesHitsThroughRedis(ApplicationContext context) {
    Store store = context.getBean(Store.class);
    assertTrue(store instanceof RedisStore, store.getClass().getName());
    CacheEngine engine = context.getBean(CacheEngine.class);
    await("a hit from Redis").atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(50)).until(() -> {
      engine.handle(CacheRequest.get("/api/x"), r -> CacheResponse.builder(200).body("x").build());
      return ((RedisStore) store).commandsSent() > 0 && "HIT".equals(engine.handle(CacheRequest.get("/api/x"),
          r -> CacheResponse.builder(200).body("y").build()).headers().first("X-Cache").orElse(""));
    });
  }

  @Test
  void aConnectionDetailsBean_likeAServiceConnection_winsOverTheProperties() throws Exception {
    URI redis = URI.create(RedisProcess.shared().uri());
    int closed;
    try (java.net.ServerSocket s = new java.net.ServerSocket(0)) {
      closed = s.getLocalPort();
    }
    runner.withPropertyValues("spring.data.redis.host=127.0.0.1", "spring.data.redis.port=" + closed)
        .withBean(DataRedisConnectionDetails.class, () -> new DataRedisConnectionDetails() {
          @Override
          public Standalone getStandalone() {
            return Standalone.of(redis.getHost(), redis.getPort());
          }
        })
        .run(context -> {
          assertNull(context.getStartupFailure());
          servesHitsThroughRedis(context);
        });
  }

  @Test
  void sentinel_findsTheMasterItMonitors() throws Exception {
    try (RedisProcess master = RedisProcess.start(); RedisProcess sentinel = RedisProcess.sentinel("shop", master)) {
      runner.withPropertyValues("spring.data.redis.sentinel.master=shop",
              "spring.data.redis.sentinel.nodes=127.0.0.1:" + sentinel.port())
          .run(context -> {
            assertNull(context.getStartupFailure());
            servesHitsThroughRedis(context);
          });
      assertTrue(master.keyCount() > 0, "the entry is on the master Sentinel named");
    }
  }

  @Test
  void aCluster_isReachedThroughItsNodes() throws Exception {
    try (RedisClusterProcess cluster = RedisClusterProcess.start()) {
      String nodes = String.join(",", cluster.uris().stream().map(u -> URI.create(u).getHost() + ":"
          + URI.create(u).getPort()).toList());
      runner.withPropertyValues("spring.data.redis.cluster.nodes=" + nodes).run(context -> {
        assertNull(context.getStartupFailure());
        servesHitsThroughRedis(context);
      });
    }
  }

  @Test
  void tls_trustsWhatTheApplicationsSslBundleTrusts(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir)
      throws Exception {
    // a self-signed certificate for 127.0.0.1: trusted through the bundle, by nothing else
    Process openssl = new ProcessBuilder("openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
        "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1",
        "-keyout", dir.resolve("key.pem").toString(), "-out", dir.resolve("cert.pem").toString())
        .redirectErrorStream(true).start();
    String out = new String(openssl.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
    assertTrue(openssl.waitFor() == 0, "openssl (apt-get install openssl): " + out);
    int tlsPort;
    try (java.net.ServerSocket s = new java.net.ServerSocket(0)) {
      tlsPort = s.getLocalPort();
    }
    try (RedisProcess redis = RedisProcess.start("--tls-port", Integer.toString(tlsPort),
        "--tls-cert-file", dir.resolve("cert.pem").toString(), "--tls-key-file", dir.resolve("key.pem").toString(),
        "--tls-ca-cert-file", dir.resolve("cert.pem").toString(), "--tls-auth-clients", "no")) {
      runner.withConfiguration(AutoConfigurations.of(
              org.springframework.boot.autoconfigure.ssl.SslAutoConfiguration.class))
          .withPropertyValues("spring.ssl.bundle.pem.redis.truststore.certificate=file:" + dir.resolve("cert.pem"),
              "spring.data.redis.ssl.enabled=true", "spring.data.redis.ssl.bundle=redis",
              "spring.data.redis.host=127.0.0.1", "spring.data.redis.port=" + tlsPort)
          .run(context -> {
            assertNull(context.getStartupFailure());
            servesHitsThroughRedis(context);
          });
      assertTrue(redis.keyCount() > 0, "the entry went over TLS to this server");
    }
  }
}
