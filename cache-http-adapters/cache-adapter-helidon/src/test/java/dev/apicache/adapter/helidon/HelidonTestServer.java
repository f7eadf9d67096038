package dev.apicache.adapter.helidon;

import dev.apicache.Bytes;
import dev.apicache.CacheEngine;
import dev.apicache.CacheRequest;
import dev.apicache.adapter.AdminApi;
import dev.apicache.adapter.CacheFront;
import dev.apicache.adapter.testkit.ConformanceApp;
import dev.apicache.adapter.testkit.RunningServer;
import io.helidon.http.HeaderNames;
import io.helidon.http.Status;
import io.helidon.webserver.WebServer;
import io.helidon.webserver.http1.Http1Config;
import java.util.Optional;

/**
 * The suites' application on a real Helidon SE WebServer: the cache feature, a filter of the
 * application's own guarding {@code /guarded} (registered after the feature, as an application
 * would), and a catch-all route serving {@link ConformanceApp}. Published in this module's test-jar.
 */
public final class HelidonTestServer {
  private HelidonTestServer() {}

  /** Starts the server on a free loopback port. */
  public static RunningServer start(CacheEngine engine, ConformanceApp app) {
    return start(Optional.of(engine), app);
  }

  /** Starts the application without a cache, as the upstream of a caching proxy. */
  public static RunningServer startUncached(ConformanceApp app) {
    return start(Optional.empty(), app);
  }

  private static RunningServer start(Optional<CacheEngine> engine, ConformanceApp app) {
    WebServer server = WebServer.builder()
        .host("127.0.0.1")
        .port(0)
        .addProtocol(Http1Config.builder().name("http_1_1").addSendListener(ApiCacheFeature.notModifiedListener()).build())
        .routing(routing -> routing
            .update(r -> engine.ifPresent(e -> r.addFeature(ApiCacheFeature.create(e, AdminApi.of(e, ConformanceApp.ADMIN_TOKEN)))))
            .addFilter((chain, req, res) -> {
              boolean session = req.headers().value(HeaderNames.COOKIE).orElse("").contains("session=ok");
              if (req.path().path().startsWith("/guarded") && !session) {
                res.status(Status.FORBIDDEN_403).send("forbidden");
                return;
              }
              // as an authentication filter would register a principal
              req.headers().value(HeaderNames.create(ConformanceApp.PRINCIPAL_HEADER))
                  .ifPresent(p -> req.context().register(ConformanceApp.PRINCIPAL_ATTRIBUTE, p));
              chain.proceed();
            })
            .any((req, res) -> {
              HelidonExchange exchange = new HelidonExchange(req, res);
              CacheRequest request;
              try {
                request = CacheFront.snapshot(exchange);
              } catch (IllegalArgumentException unholdable) {
                // the application's own answer to a field it cannot read (an empty name Helidon let through)
                res.status(io.helidon.http.Status.BAD_REQUEST_400).send("bad header\n");
                return;
              }
              Optional<String> principal = req.context().get(ConformanceApp.PRINCIPAL_ATTRIBUTE, String.class);
              if (principal.isPresent()) {
                request = request.toBuilder().attribute(ConformanceApp.PRINCIPAL_ATTRIBUTE, principal.get()).build();
              }
              if (req.content().hasEntity()) {
                request = request.toBuilder().body(Bytes.copyOf(req.content().as(byte[].class))).build();
              }
              CacheFront.send(exchange, app.handle(request));
            }))
        .build()
        .start();
    return RunningServer.onLoopback(server::port, server::stop);
  }
}
