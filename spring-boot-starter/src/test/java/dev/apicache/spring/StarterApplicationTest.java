package dev.apicache.spring;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
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
import org.springframework.security.config.Customizer;
import org.springframework.security.config.annotation.web.builders.HttpSecurity;
import org.springframework.security.config.annotation.web.configuration.EnableWebSecurity;
import org.springframework.security.core.userdetails.User;
import org.springframework.security.core.userdetails.UserDetailsService;
import org.springframework.security.provisioning.InMemoryUserDetailsManager;
import org.springframework.security.web.SecurityFilterChain;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RestController;

/**
 * A Spring Boot 4 application that adds only the starter and {@code apicache.*} properties, on its
 * embedded server with Spring Security on: what it caches, what stays protected, the Actuator
 * endpoint and the Prometheus scrape, all over real HTTP.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class StarterApplicationTest {
  private static final String ADMIN = "Basic " + Base64.getEncoder()
      .encodeToString("admin:secret".getBytes(StandardCharsets.UTF_8));
  private static final AtomicInteger PRODUCT_CALLS = new AtomicInteger();

  private ConfigurableApplicationContext context;
  private URI base;
  private final HttpClient http = HttpClient.newHttpClient();

  @SpringBootConfiguration
  @EnableAutoConfiguration
  @Import({Api.class, Security.class, Database.class, Catalog.class})
  static class App {}

  /** A real (in-memory H2) database with Spring's transactions, as a JDBC application has. */
  @org.springframework.context.annotation.Configuration(proxyBeanMethods = false)
  @org.springframework.transaction.annotation.EnableTransactionManagement
  static class Database {
    @Bean
    javax.sql.DataSource dataSource() {
      org.h2.jdbcx.JdbcDataSource db = new org.h2.jdbcx.JdbcDataSource();
      db.setURL("jdbc:h2:mem:starter-" + java.util.UUID.randomUUID() + ";DB_CLOSE_DELAY=-1");
      org.springframework.jdbc.core.simple.JdbcClient.create(db)
          .sql("create table product (id int primary key, name varchar(64))").update();
      org.springframework.jdbc.core.simple.JdbcClient.create(db)
          .sql("insert into product values (1, 'old name')").update();
      return db;
    }

    @Bean
    org.springframework.transaction.PlatformTransactionManager transactionManager(javax.sql.DataSource db) {
      return new org.springframework.jdbc.datasource.DataSourceTransactionManager(db);
    }

    @Bean
    org.springframework.jdbc.core.simple.JdbcClient jdbcClient(javax.sql.DataSource db) {
      return org.springframework.jdbc.core.simple.JdbcClient.create(db);
    }
  }

  /** Products read from the database, renamed in a transaction that invalidates after its commit. */
  @RestController
  static class Catalog {
    private final org.springframework.jdbc.core.simple.JdbcClient db;
    private final ApiCacheInvalidator cache;

    Catalog(org.springframework.jdbc.core.simple.JdbcClient db, ApiCacheInvalidator cache) {
      this.db = db;
      this.cache = cache;
    }

    @GetMapping("/api/catalog/{id}")
    String product(@PathVariable int id) {
      return "{\"name\":\"" + db.sql("select name from product where id = ?").param(id).query(String.class).single()
          + "\"}";
    }

    @org.springframework.web.bind.annotation.PutMapping("/api/catalog/{id}")
    @org.springframework.transaction.annotation.Transactional
    String rename(@PathVariable int id, @org.springframework.web.bind.annotation.RequestParam String name,
        @org.springframework.web.bind.annotation.RequestParam(defaultValue = "false") boolean fail) {
      db.sql("update product set name = ? where id = ?").params(name, id).update();
      cache.invalidate("catalog.updated");
      if (fail) {
        throw new IllegalStateException("rolled back after the update");
      }
      return "{\"renamed\":" + id + "}";
    }
  }

  @RestController
  static class Api {
    @GetMapping("/api/products/{id}")
    String product(@PathVariable String id) {
      return "{\"id\":" + id + ",\"call\":" + PRODUCT_CALLS.incrementAndGet() + "}";
    }

    @GetMapping("/api/admin/report")
    String report() {
      return "{\"report\":\"for admins\"}";
    }
  }

  @EnableWebSecurity
  static class Security {
    @Bean
    SecurityFilterChain chain(HttpSecurity http) throws Exception {
      http.authorizeHttpRequests(a -> a.requestMatchers("/api/admin/**", "/actuator/**").hasRole("ADMIN")
              .requestMatchers(org.springframework.http.HttpMethod.PUT, "/api/catalog/**").hasRole("ADMIN")
              .anyRequest().permitAll())
          .httpBasic(Customizer.withDefaults())
          .csrf(c -> c.disable());
      return http.build();
    }

    @Bean
    UserDetailsService users() {
      return new InMemoryUserDetailsManager(
          User.withUsername("admin").password("{noop}secret").roles("ADMIN").build(),
          User.withUsername("user").password("{noop}secret").roles("USER").build());
    }
  }

  @BeforeAll
  void start() {
    context = new SpringApplicationBuilder(App.class).properties(
        "server.port=0",
        "server.address=127.0.0.1",
        "apicache.policies[0].path=/api/products/{id}",
        "apicache.policies[0].ttl=60s",
        "apicache.policies[0].stale-while-revalidate=60s",
        "apicache.policies[0].invalidate-on[0]=product.updated",
        "apicache.policies[1].path=/api/admin/report",
        "apicache.policies[1].ttl=60s",
        "apicache.policies[1].shared=true",
        "apicache.policies[2].path=/api/catalog/{id}",
        "apicache.policies[2].ttl=60s",
        "apicache.policies[2].invalidate-on[0]=catalog.updated",
        "management.endpoints.web.exposure.include=apicache,prometheus").run();
    int port = ((WebServerApplicationContext) context).getWebServer().getPort();
    base = URI.create("http://127.0.0.1:" + port);
  }

  @AfterAll
  void stop() {
    if (context != null) {
      context.close();
    }
  }

  private HttpResponse<String> get(String path, String authorization) throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(base.resolve(path));
    if (authorization != null) {
      b.header("Authorization", authorization);
    }
    return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  private HttpResponse<String> postJson(String path, String json, String authorization) throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(base.resolve(path)).header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(json));
    if (authorization != null) {
      b.header("Authorization", authorization);
    }
    return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  private static String xCache(HttpResponse<?> r) {
    return r.headers().firstValue("X-Cache").orElse("");
  }

  @Test
  void aPolicyFromApplicationProperties_caches_andTheActuatorEndpointInvalidates() throws Exception {
    int before = PRODUCT_CALLS.get();
    assertEquals("MISS", xCache(get("/api/products/7", null)));
    HttpResponse<String> hit = get("/api/products/7", null);
    assertEquals("HIT", xCache(hit));
    assertEquals(before + 1, PRODUCT_CALLS.get());

    assertEquals(401, postJson("/actuator/apicache", "{\"event\":\"product.updated\"}", null).statusCode(),
        "Actuator's own security applies");
    HttpResponse<String> invalidated = postJson("/actuator/apicache", "{\"event\":\"product.updated\"}", ADMIN);
    assertEquals(200, invalidated.statusCode(), invalidated.body());
    assertEquals("MISS", xCache(get("/api/products/7", null)));
    assertEquals(before + 2, PRODUCT_CALLS.get());

    HttpResponse<String> stats = get("/actuator/apicache", ADMIN);
    assertEquals(200, stats.statusCode());
    assertTrue(stats.body().contains("\"/api/products/{id}\""), stats.body());
  }

  @Test
  void theActuatorEndpoint_purgesAndSoftPurgesUrlsAndPolicies() throws Exception {
    get("/api/products/31", null);
    get("/api/products/32", null);
    assertEquals("HIT", xCache(get("/api/products/31", null)));
    HttpResponse<String> soft = postJson("/actuator/apicache", "{\"url\":\"/api/products/31\",\"soft\":true}", ADMIN);
    assertEquals(200, soft.statusCode(), soft.body());
    assertTrue(soft.body().contains("\"soft\":true"), soft.body());
    assertEquals("STALE", xCache(get("/api/products/31", null)), "served stale while it refreshes");
    assertEquals("HIT", xCache(get("/api/products/32", null)));
    // the refresh ends before the next test counts the application's calls
    org.awaitility.Awaitility.await("() -> \"HIT\".equals(xCache(get(\"/api/products/31\", null)))")
        .atMost(java.time.Duration.ofSeconds(30))
        .pollInterval(java.time.Duration.ofMillis(10)).until(() -> "HIT".equals(xCache(get("/api/products/31", null))));

    HttpResponse<String> hard = postJson("/actuator/apicache", "{\"policy\":\"/api/products/{id}\"}", ADMIN);
    assertEquals(200, hard.statusCode(), hard.body());
    assertEquals("MISS", xCache(get("/api/products/32", null)));
  }

  @Test
  void aProtectedRoute_staysProtected_evenOnceItsAnswerIsCached() throws Exception {
    assertEquals(200, get("/api/admin/report", ADMIN).statusCode());
    assertEquals("HIT", xCache(get("/api/admin/report", ADMIN)));
    assertEquals(401, get("/api/admin/report", null).statusCode(), "Spring Security runs before the cache");
    String user = "Basic " + Base64.getEncoder().encodeToString("user:secret".getBytes(StandardCharsets.UTF_8));
    assertEquals(403, get("/api/admin/report", user).statusCode(), "and its roles too");
  }

  @Test
  void theMetersReachThePrometheusScrape() throws Exception {
    get("/api/products/99", null);
    get("/api/products/99", null);
    HttpResponse<String> scrape = get("/actuator/prometheus", ADMIN);
    assertEquals(200, scrape.statusCode());
    assertTrue(scrape.body().contains("cache_gets_total{cache=\"apicache\""), scrape.body().substring(0,
        Math.min(2000, scrape.body().length())));
    assertTrue(scrape.body().contains("apicache_origin_seconds_count{cache=\"apicache\""), "the origin timer");
  }

  private HttpResponse<String> put(String path, String authorization) throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(base.resolve(path)).PUT(HttpRequest.BodyPublishers.noBody());
    if (authorization != null) {
      b.header("Authorization", authorization);
    }
    return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void aTransactionalWrite_invalidatesAfterItsCommit_andNotOnRollback_behindSecurity() throws Exception {
    assertEquals("{\"name\":\"old name\"}", get("/api/catalog/1", null).body());
    assertEquals("HIT", xCache(get("/api/catalog/1", null)));
    assertEquals(401, put("/api/catalog/1?name=anonymous", null).statusCode(), "the write is the admin's");
    assertEquals("HIT", xCache(get("/api/catalog/1", null)), "a refused write invalidates nothing");

    assertEquals(500, put("/api/catalog/1?name=rolled%20back&fail=true", ADMIN).statusCode());
    HttpResponse<String> afterRollback = get("/api/catalog/1", null);
    assertEquals("HIT", xCache(afterRollback), "a rollback invalidates nothing");
    assertEquals("{\"name\":\"old name\"}", afterRollback.body());

    assertEquals(200, put("/api/catalog/1?name=new%20name", ADMIN).statusCode());
    HttpResponse<String> afterCommit = get("/api/catalog/1", null);
    assertEquals("MISS", xCache(afterCommit));
    assertEquals("{\"name\":\"new name\"}", afterCommit.body(), "the committed row, never the old one");
  }
}
