package dev.apicache.adapter.testkit;

import dev.apicache.CacheEngine;
import dev.apicache.spi.Store;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.TestInstance;

/**
 * What every adapter suite shares: one real server per test class, started by the adapter's test
 * on a free loopback port with the engine serving {@link ConformanceApp} through the adapter, an
 * HTTP client, and a clock the tests move instead of sleeping.
 *
 * @since 0.1
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
public abstract class AdapterHarness {
  /** The engine's clock; tests move it forward. */
  protected final SettableClock clock = new SettableClock();
  protected ConformanceApp app;
  protected CacheEngine engine;
  private RunningServer server;
  private HttpClient http;

  /**
   * Starts the framework on a free loopback port, serving {@code app} through the adapter over
   * {@code engine}, with {@code /guarded} behind the framework's own access control (see
   * {@link ConformanceApp}).
   */
  protected abstract RunningServer start(CacheEngine engine, ConformanceApp app) throws Exception;

  /** The store under test; its expiry must follow {@code clock}. */
  protected abstract Store createStore(SettableClock clock) throws Exception;

  /**
   * How long a store call may take here. These suites check what the adapters serve, not how the
   * engine fails open (its own tests do that with short timeouts), so a shared store slowed by a
   * busy machine must not turn an expected hit into a miss.
   */
  protected static final Duration PATIENT = Duration.ofSeconds(10);

  @BeforeAll
  void startServer() throws Exception {
    app = new ConformanceApp();
    engine = CacheEngine.builder(ConformanceApp.policies(), createStore(clock)).clock(clock)
        .storeTimeout(PATIENT).build();
    server = start(engine, app);
    http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(5)).build();
  }

  @AfterAll
  void stopServer() {
    if (server != null) {
      server.close();
    }
    if (engine != null) {
      engine.close();
    }
  }

  /** The server's base URI. */
  protected URI server() {
    return server.baseUri();
  }

  /** The JDK client the suites use. */
  protected HttpClient http() {
    return http;
  }

  /**
   * Sends {@code GET target} as raw bytes, for targets the JDK client refuses to build, and returns
   * the status code of the answer.
   */
  protected int rawGetStatus(String target) throws IOException {
    try {
      return RawHttp.exchange(server.baseUri(), RawHttp.latin1("GET " + target + " HTTP/1.1\r\nHost: "
          + server.baseUri().getHost() + "\r\nConnection: close\r\n\r\n")).status();
    } catch (IOException noHttpAnswer) {
      return -1;
    }
  }

  /** A value no other test uses. */
  protected static String unique() {
    return UUID.randomUUID().toString().substring(0, 8);
  }

  protected String base() {
    return server.baseUri().toString().replaceAll("/$", "");
  }

  protected URI uri(String target) {
    return URI.create(base() + target);
  }

  protected HttpResponse<String> get(String target, String... headers) throws IOException, InterruptedException {
    HttpRequest.Builder b = HttpRequest.newBuilder(uri(target)).GET();
    for (int i = 0; i < headers.length; i += 2) {
      b.header(headers[i], headers[i + 1]);
    }
    return send(b);
  }

  protected HttpResponse<String> send(HttpRequest.Builder request) throws IOException, InterruptedException {
    return http.send(request.timeout(Duration.ofSeconds(20)).build(), HttpResponse.BodyHandlers.ofString());
  }

  protected static String header(HttpResponse<?> response, String name) {
    return response.headers().firstValue(name).orElse("");
  }

  /** A wall clock that tests can move forward; the engine and the store read it. */
  public static final class SettableClock implements InstantSource {
    private final AtomicLong offsetNanos = new AtomicLong();

    /** Moves the clock forward by {@code amount}. */
    public void advance(Duration amount) {
      offsetNanos.addAndGet(amount.toNanos());
    }

    /** Monotonic nanoseconds including the offset, for store tickers. */
    public long nanos() {
      return System.nanoTime() + offsetNanos.get();
    }

    @Override
    public Instant instant() {
      return Clock.systemUTC().instant().plusNanos(offsetNanos.get());
    }
  }
}
