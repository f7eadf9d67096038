package dev.apicache.spring.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.apicache.spring.ApiCacheInvalidator;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Import;
import org.springframework.util.ClassUtils;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * The smallest adoption: a Spring MVC application with the starter and nothing else, configured in
 * properties only. It starts, caches, and invalidates through the injected
 * {@link ApiCacheInvalidator}; with {@code apicache.enabled=false} it starts and runs unchanged.
 */
class SmallestApplicationTest {
  private static final AtomicInteger CALLS = new AtomicInteger();
  private final HttpClient http = HttpClient.newHttpClient();

  @SpringBootConfiguration
  @EnableAutoConfiguration
  @Import(Api.class)
  static class App {}

  @RestController
  static class Api {
    private final ApiCacheInvalidator invalidator;

    Api(ApiCacheInvalidator invalidator) {
      this.invalidator = invalidator;
    }

    @GetMapping("/api/items/{id}")
    String item(@PathVariable String id) {
      return "{\"id\":" + id + ",\"call\":" + CALLS.incrementAndGet() + "}";
    }

    @PostMapping("/api/items/{id}/renamed")
    String renamed(@PathVariable String id) {
      invalidator.purge("/api/items/" + id);
      return "{\"renamed\":" + id + "}";
    }
  }

  private static ConfigurableApplicationContext start(String... properties) {
    return new SpringApplicationBuilder(App.class).properties("server.port=0", "server.address=127.0.0.1",
        "spring.main.banner-mode=off").properties(properties).run();
  }

  private HttpResponse<String> send(ConfigurableApplicationContext context, String method, String path)
      throws Exception {
    int port = ((WebServerApplicationContext) context).getWebServer().getPort();
    return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
        .method(method, HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
  }

  private static String xCache(HttpResponse<?> r) {
    return r.headers().firstValue("X-Cache").orElse("");
  }

  @Test
  void theClassPathHoldsNoneOfWhatTheStarterTreatsAsOptional() {
    for (String absent : List.of("org.springframework.transaction.support.TransactionSynchronization",
        "org.springframework.jdbc.core.JdbcTemplate", "io.micrometer.core.instrument.MeterRegistry",
        "org.springframework.boot.actuate.endpoint.annotation.Endpoint",
        "org.springframework.boot.health.contributor.HealthIndicator",
        "com.fasterxml.jackson.databind.ObjectMapper", "io.lettuce.core.RedisClient")) {
      assertFalse(ClassUtils.isPresent(absent, null), absent + " is on this application's class path");
    }
  }

  @Test
  void theSmallestApplication_starts_caches_andInvalidates() throws Exception {
    try (ConfigurableApplicationContext app = start("apicache.policies[0].path=/api/items/{id}",
        "apicache.policies[0].ttl=60s")) {
      assertTrue(app.getBean(ApiCacheInvalidator.class).isEnabled());
      assertEquals("MISS", xCache(send(app, "GET", "/api/items/1")));
      HttpResponse<String> hit = send(app, "GET", "/api/items/1");
      assertEquals("HIT", xCache(hit));
      int calls = CALLS.get();
      assertEquals(200, send(app, "POST", "/api/items/1/renamed").statusCode());
      assertEquals("MISS", xCache(send(app, "GET", "/api/items/1")));
      assertEquals(calls + 1, CALLS.get());
    }
  }

  @Test
  void enabledFalse_startsTheSameApplication_andItsInvalidatorDoesNothing() throws Exception {
    try (ConfigurableApplicationContext app = start("apicache.enabled=false",
        "apicache.policies[0].path=/api/items/{id}", "apicache.policies[0].ttl=60s")) {
      assertFalse(app.getBean(ApiCacheInvalidator.class).isEnabled());
      int calls = CALLS.get();
      assertEquals("", xCache(send(app, "GET", "/api/items/2")));
      assertEquals("", xCache(send(app, "GET", "/api/items/2")));
      assertEquals(calls + 2, CALLS.get(), "every request reaches the controller");
      assertEquals(200, send(app, "POST", "/api/items/2/renamed").statusCode());
    }
  }
}
