package dev.apicache.adapter.spring;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
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
import org.springframework.security.config.Customizer;
import org.springframework.security.config.annotation.web.builders.HttpSecurity;
import org.springframework.security.config.annotation.web.configuration.EnableWebSecurity;
import org.springframework.security.core.userdetails.User;
import org.springframework.security.core.userdetails.UserDetailsService;
import org.springframework.security.provisioning.InMemoryUserDetailsManager;
import org.springframework.security.web.SecurityFilterChain;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PutMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * The README's Spring Boot recipe, verbatim in {@link CacheConfig}, on Spring Boot's embedded Tomcat,
 * with Spring Security in front as an application would have it.
 */
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
            - path: /api/admin/report
              ttl: 60s
              shared: true            # one report for every caller who may see it
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

    @GetMapping("/api/admin/report")
    Map<String, Object> report() {
      return Map.of("report", "secret", "version", version.get());
    }
  }

  /** Spring Security as an application would set it up: the admin API needs the ADMIN role. */
  @Configuration
  @EnableWebSecurity
  static class Security {
    @Bean
    SecurityFilterChain api(HttpSecurity http) throws Exception {
      return http
          .authorizeHttpRequests(a -> a.requestMatchers("/api/admin/**").hasRole("ADMIN").anyRequest().permitAll())
          .httpBasic(Customizer.withDefaults())
          .csrf(c -> c.disable()) // a token-less JSON API
          .build();
    }

    @Bean
    UserDetailsService users() {
      return new InMemoryUserDetailsManager(
          User.withUsername("admin").password("{noop}admin-pw").roles("ADMIN").build(),
          User.withUsername("user").password("{noop}user-pw").roles("USER").build());
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
    context = new SpringApplicationBuilder(App.class, CacheConfig.class, Security.class)
        .properties("server.port=0", "server.address=127.0.0.1", "spring.main.banner-mode=off")
        .run();
    base = URI.create("http://127.0.0.1:" + ((WebServerApplicationContext) context).getWebServer().getPort());
  }

  @AfterAll
  void stop() {
    context.close();
  }

  private HttpResponse<String> send(String method, String path, String... headers) throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(base.resolve(path)).method(method, HttpRequest.BodyPublishers.noBody());
    for (int i = 0; i < headers.length; i += 2) {
      b.header(headers[i], headers[i + 1]);
    }
    return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  private static String basic(String user, String password) {
    return "Basic " + java.util.Base64.getEncoder().encodeToString((user + ":" + password).getBytes());
  }

  @Test
  void springSecurity_runsBeforeTheCache_soACachedResponseStaysProtected() throws Exception {
    HttpResponse<String> admin = send("GET", "/api/admin/report", "Authorization", basic("admin", "admin-pw"));
    assertEquals(200, admin.statusCode());
    HttpResponse<String> again = send("GET", "/api/admin/report", "Authorization", basic("admin", "admin-pw"));
    assertEquals("HIT", xCache(again), again.headers().map().toString());
    assertEquals(401, send("GET", "/api/admin/report").statusCode(), "anonymous");
    assertEquals(401, send("GET", "/api/admin/report", "Authorization", basic("admin", "wrong")).statusCode());
    HttpResponse<String> user = send("GET", "/api/admin/report", "Authorization", basic("user", "user-pw"));
    assertEquals(403, user.statusCode(), "a user without the role");
    assertFalse(user.body().contains("secret"));
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
