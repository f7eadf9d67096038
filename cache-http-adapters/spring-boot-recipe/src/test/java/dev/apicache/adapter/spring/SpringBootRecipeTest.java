package dev.apicache.adapter.spring;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import dev.apicache.CacheEngine;
import dev.apicache.CachePolicies;
import dev.apicache.PolicyFile;
import dev.apicache.adapter.servlet.ApiCacheFilter;
import dev.apicache.store.caffeine.CaffeineStore;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.web.context.WebServerApplicationContext;
import org.springframework.boot.web.servlet.FilterRegistrationBean;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.Ordered;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PutMapping;
import org.springframework.web.bind.annotation.RestController;

/** The README's Spring Boot recipe, verbatim in {@link CacheConfig}, on Spring Boot's embedded Tomcat. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class SpringBootRecipeTest {
  private ConfigurableApplicationContext context;
  private URI base;
  private final HttpClient http = HttpClient.newHttpClient();

  /** The recipe. */
  @Configuration
  static class CacheConfig {
    @Bean(destroyMethod = "close")
    CacheEngine cacheEngine() {
      CachePolicies policies = PolicyFile.parse("""
          policies:
            - path: /api/products/{id}
              ttl: 60s
              invalidateOn: [product.updated]
          writes:
            - path: /api/products/{id}
              methods: [PUT]
              events: [product.updated]
          """, "cache.yaml", Map.of());
      return CacheEngine.builder(policies, CaffeineStore.builder().build()).build();
    }

    @Bean
    FilterRegistrationBean<ApiCacheFilter> apiCacheFilter(CacheEngine engine) {
      FilterRegistrationBean<ApiCacheFilter> registration = new FilterRegistrationBean<>(ApiCacheFilter.create(engine));
      registration.addUrlPatterns("/*");
      registration.setAsyncSupported(true);
      registration.setOrder(Ordered.LOWEST_PRECEDENCE - 100); // after security, before the controllers
      return registration;
    }
  }

  @RestController
  static class Products {
    final AtomicInteger version = new AtomicInteger(1);

    @GetMapping("/api/products/{id}")
    Map<String, Object> product(@PathVariable("id") String id) {
      return Map.of("id", id, "version", version.get());
    }

    @PutMapping("/api/products/{id}")
    Map<String, Object> update(@PathVariable("id") String id) {
      return Map.of("id", id, "version", version.incrementAndGet());
    }
  }

  @Configuration
  @EnableAutoConfiguration
  static class App {
    @Bean
    Products products() {
      return new Products();
    }
  }

  @BeforeAll
  void start() {
    context = new SpringApplicationBuilder(App.class, CacheConfig.class)
        .properties("server.port=0", "server.address=127.0.0.1", "spring.main.banner-mode=off")
        .run();
    base = URI.create("http://127.0.0.1:" + ((WebServerApplicationContext) context).getWebServer().getPort());
  }

  @AfterAll
  void stop() {
    context.close();
  }

  private HttpResponse<String> send(String method, String path) throws Exception {
    return http.send(HttpRequest.newBuilder(base.resolve(path)).method(method, HttpRequest.BodyPublishers.noBody())
        .build(), HttpResponse.BodyHandlers.ofString());
  }

  private static String xCache(HttpResponse<?> r) {
    return r.headers().firstValue("X-Cache").orElse("");
  }

  @Test
  void recipe_cachesControllersAndInvalidatesOnWrites() throws Exception {
    HttpResponse<String> miss = send("GET", "/api/products/7");
    HttpResponse<String> hit = send("GET", "/api/products/7");
    assertEquals("MISS", xCache(miss));
    assertEquals("HIT", xCache(hit), hit.headers().map().toString());
    assertEquals(miss.body(), hit.body());
    assertEquals(200, send("PUT", "/api/products/7").statusCode());
    HttpResponse<String> after = send("GET", "/api/products/7");
    assertEquals("MISS", xCache(after));
    assertNotEquals(miss.body(), after.body());
    assertEquals("BYPASS", xCache(send("GET", "/actuator-less/unknown")));
  }
}
