package dev.apicache.spring;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.apicache.CacheEngine;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Import;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * A WebFlux application with the starter: it starts and serves as without it, an injected
 * {@link ApiCacheInvalidator} works (doing nothing), and the log says once that nothing is cached.
 */
@ExtendWith(OutputCaptureExtension.class)
class ReactiveApplicationTest {
  @SpringBootConfiguration
  @EnableAutoConfiguration
  @Import({Api.class, Open.class})
  static class App {}

  @org.springframework.security.config.annotation.web.reactive.EnableWebFluxSecurity
  static class Open {
    @org.springframework.context.annotation.Bean
    org.springframework.security.web.server.SecurityWebFilterChain open(
        org.springframework.security.config.web.server.ServerHttpSecurity http) {
      return http.authorizeExchange(a -> a.anyExchange().permitAll()).build();
    }
  }

  @RestController
  static class Api {
    private int calls;

    @GetMapping("/api/items")
    synchronized String items() {
      return "{\"call\":" + ++calls + "}";
    }
  }

  @Test
  void aReactiveApplication_runsUnchanged_andIsToldNothingIsCached(CapturedOutput output) throws Exception {
    try (ConfigurableApplicationContext context = new SpringApplicationBuilder(App.class)
        .web(WebApplicationType.REACTIVE)
        .properties("server.port=0", "server.address=127.0.0.1", "spring.main.banner-mode=off",
            "apicache.policies[0].path=/api/items", "apicache.policies[0].ttl=60s")
        .run()) {
      assertEquals(0, context.getBeanNamesForType(CacheEngine.class).length);
      ApiCacheInvalidator invalidator = context.getBean(ApiCacheInvalidator.class);
      assertFalse(invalidator.isEnabled());
      invalidator.invalidate("anything");
      int port = ((WebServerApplicationContext) context).getWebServer().getPort();
      HttpClient http = HttpClient.newHttpClient();
      URI items = URI.create("http://127.0.0.1:" + port + "/api/items");
      HttpResponse<String> first = http.send(HttpRequest.newBuilder(items).build(), HttpResponse.BodyHandlers.ofString());
      HttpResponse<String> second = http.send(HttpRequest.newBuilder(items).build(), HttpResponse.BodyHandlers.ofString());
      assertEquals("{\"call\":1}", first.body());
      assertEquals("{\"call\":2}", second.body(), "served by the application each time");
      assertTrue(second.headers().firstValue("X-Cache").isEmpty());
      String out = output.getAll();
      assertEquals(1, out.split("apicache caches nothing in this application", -1).length - 1, out);
      assertTrue(out.contains("reactive (WebFlux)"), out);
    }
  }
}
