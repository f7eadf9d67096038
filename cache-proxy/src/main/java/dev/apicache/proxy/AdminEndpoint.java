package dev.apicache.proxy;

import dev.apicache.CacheEngine;
import dev.apicache.StoreException;
import io.helidon.http.HeaderNames;
import io.helidon.http.Method;
import io.helidon.http.Status;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.List;

/**
 * Invalidation for callers that cannot reach the engine's API, given
 * {@code Authorization: Bearer <token>}: {@code POST /_apicache/invalidate} with {@code event} and
 * {@code tag} query parameters (each repeatable), and {@code POST /_apicache/purge} with {@code url}
 * (repeatable) for every stored variant of those URLs. Answers 401 without the token (compared in constant time),
 * 405 for another method, 400 without anything to invalidate, 503 when the store could not record
 * it (the caller should retry), 200 with what was done otherwise.
 */
final class AdminEndpoint {
  static final String PREFIX = "/_apicache/";
  private static final String INVALIDATE = PREFIX + "invalidate";
  private static final String PURGE = PREFIX + "purge";

  private final CacheEngine engine;
  private final byte[] expected;

  AdminEndpoint(CacheEngine engine, String token) {
    this.engine = engine;
    this.expected = ("Bearer " + token).getBytes(StandardCharsets.UTF_8);
  }

  /** Answers {@code req} when it is for the admin path, and says whether it did. */
  boolean handles(ServerRequest req, ServerResponse res) {
    String path = req.prologue().uriPath().rawPath();
    if (!path.startsWith(PREFIX)) {
      return false;
    }
    res.header("Cache-Control", "no-store");
    String given = req.headers().value(HeaderNames.AUTHORIZATION).orElse("");
    if (!MessageDigest.isEqual(given.getBytes(StandardCharsets.UTF_8), expected)) {
      res.header("WWW-Authenticate", "Bearer realm=\"apicache\"");
      reply(res, Status.UNAUTHORIZED_401, "{\"error\":\"a valid admin token is required\"}");
      return true;
    }
    if (!path.equals(INVALIDATE) && !path.equals(PURGE)) {
      reply(res, Status.NOT_FOUND_404, "{\"error\":\"unknown admin path; use POST " + INVALIDATE + " or " + PURGE
          + "\"}");
      return true;
    }
    if (req.prologue().method() != Method.POST) {
      res.header("Allow", "POST");
      reply(res, Status.METHOD_NOT_ALLOWED_405, "{\"error\":\"use POST\"}");
      return true;
    }
    if (path.equals(PURGE)) {
      purge(req, res);
      return true;
    }
    List<String> events = req.query().all("event", List::of);
    List<String> tags = req.query().all("tag", List::of);
    if ((events.isEmpty() && tags.isEmpty()) || events.stream().anyMatch(String::isBlank)
        || tags.stream().anyMatch(String::isBlank)) {
      reply(res, Status.BAD_REQUEST_400, "{\"error\":\"give one or more event=... or tag=... query parameters\"}");
      return true;
    }
    try {
      int policies = 0;
      for (String event : events) {
        policies += engine.invalidate(event);
      }
      if (!tags.isEmpty()) {
        engine.invalidateTags(tags);
      }
      reply(res, Status.OK_200, "{\"events\":" + events.size() + ",\"policies\":" + policies + ",\"tags\":"
          + tags.size() + "}");
    } catch (StoreException e) {
      reply(res, Status.SERVICE_UNAVAILABLE_503, "{\"error\":\"the store could not record the invalidation; "
          + "retry\"}");
    }
    return true;
  }

  private void purge(ServerRequest req, ServerResponse res) {
    List<String> urls = req.query().all("url", List::of);
    if (urls.isEmpty() || urls.stream().anyMatch(String::isBlank)) {
      reply(res, Status.BAD_REQUEST_400, "{\"error\":\"give one or more url=... query parameters\"}");
      return;
    }
    try {
      int covered = 0;
      for (String url : urls) {
        covered += engine.purge(url) ? 1 : 0;
      }
      reply(res, Status.OK_200, "{\"urls\":" + urls.size() + ",\"cached\":" + covered + "}");
    } catch (StoreException e) {
      reply(res, Status.SERVICE_UNAVAILABLE_503, "{\"error\":\"the store could not record the purge; retry\"}");
    }
  }

  private static void reply(ServerResponse res, Status status, String json) {
    res.status(status);
    res.header("Content-Type", "application/json");
    res.send(json + "\n");
  }
}
