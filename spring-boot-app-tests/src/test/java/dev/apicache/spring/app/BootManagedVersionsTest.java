package dev.apicache.spring.app;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.apicache.spring.ApiCacheInvalidator;
import dev.apicache.store.redis.testing.RedisProcess;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Import;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RestController;

/**
 * Two nodes of one application on the versions Spring Boot's BOM resolves (its Caffeine, Lettuce
 * and Jackson 2, not the ones apicache is built with), sharing a real Redis server, with their
 * policies in a policy file: a fill on one node is a hit on the other, and an invalidation on one
 * is seen by both.
 */
class BootManagedVersionsTest {
  private static final AtomicInteger CALLS = new AtomicInteger();
  private final HttpClient http = HttpClient.newHttpClient();

  @SpringBootConfiguration
  @EnableAutoConfiguration
  @Import(Api.class)
  static class App {}

  @RestController
  static class Api {
    @GetMapping("/api/items/{id}")
    String item(@PathVariable String id) {
      return "{\"id\":" + id + ",\"call\":" + CALLS.incrementAndGet() + "}";
    }
  }

  private static ConfigurableApplicationContext node(URI redis, String prefix) {
    return new SpringApplicationBuilder(App.class).properties("server.port=0", "server.address=127.0.0.1",
        "spring.main.banner-mode=off", "apicache.store=redis", "apicache.key-prefix=" + prefix,
        "spring.data.redis.host=" + redis.getHost(), "spring.data.redis.port=" + redis.getPort(),
        "apicache.policy-file=classpath:shared-policies.yaml").run();
  }

  private String xCache(ConfigurableApplicationContext node, String path) throws Exception {
    int port = ((WebServerApplicationContext) node).getWebServer().getPort();
    HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
        .build(), HttpResponse.BodyHandlers.ofString());
    return r.headers().firstValue("X-Cache").orElse("");
  }

  @Test
  void twoNodesOnBootsVersions_shareOneRedis_andEveryInvalidation() throws Exception {
    URI redis = URI.create(RedisProcess.shared().uri());
    String prefix = "boot-app-" + UUID.randomUUID() + ":";
    try (ConfigurableApplicationContext one = node(redis, prefix);
        ConfigurableApplicationContext two = node(redis, prefix)) {
      assertEquals("MISS", xCache(one, "/api/items/7"));
      int calls = CALLS.get();
      await("the other node's fill is a hit here").atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(20))
          .until(() -> "HIT".equals(xCache(two, "/api/items/7")));
      assertEquals(calls, CALLS.get(), "one origin call for both nodes");
      two.getBean(ApiCacheInvalidator.class).invalidate("item.updated");
      assertEquals("MISS", xCache(one, "/api/items/7"), "invalidated on one node, gone on the other");
    }
  }
}
