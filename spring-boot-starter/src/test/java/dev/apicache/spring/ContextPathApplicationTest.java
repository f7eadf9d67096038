package dev.apicache.spring;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Import;
import org.springframework.security.config.annotation.web.builders.HttpSecurity;
import org.springframework.security.config.annotation.web.configuration.EnableWebSecurity;
import org.springframework.security.web.SecurityFilterChain;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RestController;

/**
 * An application under {@code server.servlet.context-path=/shop}, with Actuator and Prometheus:
 * policies written as the controllers' mappings are, cached hits in {@code http.server.requests}
 * under their route with the cache's outcome, the health indicator, and purges relative to the
 * context path, all over real HTTP.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ContextPathApplicationTest {
  private static final AtomicInteger CALLS = new AtomicInteger();

  private ConfigurableApplicationContext context;
  private URI base;
  private final HttpClient http = HttpClient.newHttpClient();

  @SpringBootConfiguration
  @EnableAutoConfiguration
  @Import({Api.class, Open.class})
  static class App {}

  @RestController
  static class Api {
    @GetMapping("/api/items/{id}")
    String item(@PathVariable String id) {
      return "{\"id\":" + id + ",\"call\":" + CALLS.incrementAndGet() + "}";
    }

    @GetMapping("/api/news/{id}")
    String news(@PathVariable String id) {
      return "{\"news\":" + id + ",\"call\":" + CALLS.incrementAndGet() + "}";
    }
  }

  @EnableWebSecurity
  static class Open {
    @Bean
    SecurityFilterChain open(HttpSecurity http) throws Exception {
      return http.authorizeHttpRequests(a -> a.anyRequest().permitAll()).csrf(c -> c.disable()).build();
    }
  }

  @BeforeAll
  void start() {
    context = new SpringApplicationBuilder(App.class).properties(
        "server.port=0", "server.address=127.0.0.1", "server.servlet.context-path=/shop",
        "spring.main.banner-mode=off",
        "apicache.policies[0].path=/api/items/{id}", "apicache.policies[0].ttl=60s",
        "apicache.policies[1].path=/api/news/{id}", "apicache.policies[1].ttl=60s",
        "apicache.policies[1].stale-while-revalidate=60s",
        "management.endpoints.web.exposure.include=health,prometheus,apicache",
        "management.endpoint.health.show-details=always").run();
    base = URI.create("http://127.0.0.1:" + ((WebServerApplicationContext) context).getWebServer().getPort());
  }

  @AfterAll
  void stop() {
    if (context != null) {
      context.close();
    }
  }

  private HttpResponse<String> get(String path) throws Exception {
    return http.send(HttpRequest.newBuilder(base.resolve(path)).build(), HttpResponse.BodyHandlers.ofString());
  }

  private static String xCache(HttpResponse<?> r) {
    return r.headers().firstValue("X-Cache").orElse("");
  }

  @Test
  void policiesAreRelativeToTheContextPath_asTheControllersMappingsAre() throws Exception {
    assertEquals("MISS", xCache(get("/shop/api/items/1")));
    HttpResponse<String> hit = get("/shop/api/items/1");
    assertEquals("HIT", xCache(hit));
    assertTrue(hit.body().startsWith("{\"id\":1,"), hit.body());
    context.getBean(ApiCacheInvalidator.class).purge("/api/items/1");
    assertEquals("MISS", xCache(get("/shop/api/items/1")), "purged by the path the policy is written in");
    assertEquals("HIT", xCache(get("/shop/api/items/1")));
    HttpResponse<String> purged = http.send(HttpRequest.newBuilder(base.resolve("/shop/actuator/apicache"))
        .header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString("{\"url\":\"/api/items/1\"}")).build(),
        HttpResponse.BodyHandlers.ofString());
    assertEquals(200, purged.statusCode(), purged.body());
    assertTrue(purged.body().contains("\"cached\":true"), purged.body());
    assertEquals("MISS", xCache(get("/shop/api/items/1")), "and by the endpoint, the same way");
  }

  @Test
  void cachedHits_showInHttpServerRequests_underTheirRoute_withTheCachesOutcome() throws Exception {
    get("/shop/api/items/2");
    assertEquals("HIT", xCache(get("/shop/api/items/2")));
    java.util.function.Predicate<String> hit = counted("apicache=\"HIT\"", "uri=\"/api/items/{id}\"");
    java.util.function.Predicate<String> miss = counted("apicache=\"MISS\"", "uri=\"/api/items/{id}\"");
    java.util.function.Predicate<String> untouched = counted("apicache=\"BYPASS\"", "uri=\"/actuator/prometheus\"");
    try {
      await("the scrape counts the hit under its route").atMost(Duration.ofSeconds(30))
          .pollInterval(Duration.ofMillis(50)).until(() -> {
            String scrape = get("/shop/actuator/prometheus").body();
            return hit.test(scrape) && miss.test(scrape) && untouched.test(scrape);
          });
    } catch (org.awaitility.core.ConditionTimeoutException e) {
      throw new AssertionError(requestLines(get("/shop/actuator/prometheus").body()), e);
    }
    String scrape = get("/shop/actuator/prometheus").body();
    assertTrue(!counted("apicache=\"HIT\"", "uri=\"UNKNOWN\"").test(scrape), "no hit is left without its route: "
        + requestLines(scrape));
  }

  @Test
  void fillsRevalidationsAndStoreCalls_areObserved() throws Exception {
    get("/shop/api/news/1");
    assertTrue(context.getBean(dev.apicache.CacheEngine.class).softPurge("/shop/api/news/1"));
    assertEquals("STALE", xCache(get("/shop/api/news/1")));
    java.util.function.Predicate<String> fill = scrape -> scrape.lines().anyMatch(l ->
        l.startsWith("apicache_fill_seconds_count{") && l.contains("policy=\"/api/news/{id}\""));
    java.util.function.Predicate<String> revalidation = scrape -> scrape.lines().anyMatch(l ->
        l.startsWith("apicache_revalidation_seconds_count{") && l.contains("policy=\"/api/news/{id}\""));
    java.util.function.Predicate<String> store = scrape -> scrape.lines().anyMatch(l ->
        l.startsWith("apicache_store_seconds_count{") && l.contains("operation=\"get\""));
    java.util.function.Predicate<String> ownCall = counted("apicache=\"REVALIDATION\"", "uri=\"/api/news/{id}\"");
    String[] last = {""};
    try {
      await("the observations reach the scrape").atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(50))
          .until(() -> {
            last[0] = get("/shop/actuator/prometheus").body();
            return fill.test(last[0]) && revalidation.test(last[0]) && store.test(last[0]) && ownCall.test(last[0]);
          });
    } catch (org.awaitility.core.ConditionTimeoutException e) {
      StringBuilder b = new StringBuilder();
      last[0].lines().filter(l -> l.startsWith("apicache_") || l.startsWith("http_server_requests_seconds_count"))
          .forEach(l -> b.append(l).append('\n'));
      throw new AssertionError(b.toString(), e);
    }
  }

  /** Whether a scrape has an {@code http.server.requests} count with every one of {@code tags}. */
  private static java.util.function.Predicate<String> counted(String... tags) {
    return scrape -> scrape.lines().anyMatch(l -> l.startsWith("http_server_requests_seconds_count{")
        && java.util.Arrays.stream(tags).allMatch(l::contains));
  }

  private static String requestLines(String scrape) {
    StringBuilder b = new StringBuilder("http.server.requests in the scrape:\n");
    scrape.lines().filter(l -> l.startsWith("http_server_requests_seconds_count")).forEach(l -> b.append(l).append('\n'));
    return b.toString();
  }

  @Test
  void theHealthIndicator_reportsTheStore() throws Exception {
    HttpResponse<String> health = get("/shop/actuator/health/apicache");
    assertEquals(200, health.statusCode(), health.body());
    assertTrue(health.body().contains("\"status\":\"UP\"") && health.body().contains("\"storeCircuit\":\"closed\""),
        health.body());
  }
}
