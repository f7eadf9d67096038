package dev.apicache.proxy.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import dev.apicache.adapter.testkit.RawHttp;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The distribution as a user gets it: the {@code .tar.gz} unpacked and its launcher started with no
 * JDK on the {@code PATH} and no {@code JAVA_HOME}, in front of a real upstream: it caches, reports
 * health and metrics, logs each request, fails to start on a taken port, refuses a misspelt
 * setting, and drains on SIGTERM.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class DistributionIT {
  private static final Pattern LISTENING = Pattern.compile("apicache-proxy on http://127\\.0\\.0\\.1:(\\d+) .*"
      + "health and metrics on http://127\\.0\\.0\\.1:(\\d+)");

  private Path dir;
  private Path launcher;
  private Path bareBin;
  private HttpServer upstream;
  private final AtomicInteger upstreamCalls = new AtomicInteger();
  private final CountDownLatch releaseSlow = new CountDownLatch(1);
  private final CountDownLatch slowArrived = new CountDownLatch(1);
  private final ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor();

  @BeforeAll
  void unpackAndStartUpstream() throws Exception {
    dir = Files.createTempDirectory("apicache-distribution");
    Path archive = Path.of(System.getProperty("apicache.distribution"));
    assertTrue(Files.isRegularFile(archive), "the build made " + archive);
    Process tar = new ProcessBuilder("tar", "-xzf", archive.toString(), "-C", dir.toString()).inheritIO().start();
    assertEquals(0, tar.waitFor());
    try (var found = Files.list(dir)) {
      launcher = found.filter(Files::isDirectory).findFirst().orElseThrow().resolve("bin/apicache-proxy");
    }
    // a PATH with a shell and dirname only: no java anywhere on it
    bareBin = Files.createDirectory(dir.resolve("bare-bin"));
    for (String tool : new String[] {"sh", "dirname"}) {
      Path real = Path.of("/bin", tool);
      Files.createSymbolicLink(bareBin.resolve(tool), Files.exists(real) ? real : Path.of("/usr/bin", tool));
    }
    upstream = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 64);
    upstream.createContext("/items", x -> {
      upstreamCalls.incrementAndGet();
      reply(x, 200, "{\"items\":[1,2,3]}", "max-age=600");
    });
    upstream.createContext("/bulk/", x -> {
      byte[] body = new byte[BULK_BYTES];
      java.util.Arrays.fill(body, (byte) ('a' + x.getRequestURI().getPath().length() % 26));
      x.getResponseHeaders().set("Cache-Control", "max-age=600");
      x.sendResponseHeaders(200, body.length);
      try (OutputStream o = x.getResponseBody()) {
        o.write(body);
      }
    });
    upstream.createContext("/slow", x -> {
      slowArrived.countDown();
      try {
        releaseSlow.await(60, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      reply(x, 200, "finished", "no-store");
    });
    upstream.setExecutor(threads);
    upstream.start();
  }

  @AfterAll
  void stop() throws IOException {
    releaseSlow.countDown();
    if (upstream != null) {
      upstream.stop(0);
    }
    threads.shutdownNow();
    try (var all = Files.walk(dir)) {
      for (Path p : all.sorted(java.util.Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    }
  }

  private static void reply(com.sun.net.httpserver.HttpExchange x, int status, String body, String cacheControl)
      throws IOException {
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    x.getResponseHeaders().set("Cache-Control", cacheControl);
    x.sendResponseHeaders(status, bytes.length);
    try (OutputStream o = x.getResponseBody()) {
      o.write(bytes);
    }
  }

  /** A started launcher and the lines it has printed. */
  private final class Proxy implements AutoCloseable {
    final Process process;
    final List<String> out = Collections.synchronizedList(new ArrayList<>());
    final List<String> err = Collections.synchronizedList(new ArrayList<>());
    final long startedNanos = System.nanoTime();

    Proxy(Map<String, String> env, String... args) throws IOException {
      List<String> command = new ArrayList<>(List.of(launcher.toString()));
      command.addAll(List.of(args));
      ProcessBuilder pb = new ProcessBuilder(command);
      pb.environment().clear();
      pb.environment().put("PATH", bareBin.toString());
      pb.environment().putAll(env);
      process = pb.start();
      follow(new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8)), out);
      follow(new BufferedReader(new InputStreamReader(process.getErrorStream(), StandardCharsets.UTF_8)), err);
    }

    private void follow(BufferedReader reader, List<String> into) {
      threads.submit(() -> {
        for (String line; (line = reader.readLine()) != null; ) {
          into.add(line);
        }
        return null;
      });
    }

    /** The proxy's and the management ports, once it says it listens. */
    int[] ports() {
      Awaitility.await("the proxy says where it listens").atMost(Duration.ofSeconds(60))
          .until(() -> listening() != null || !process.isAlive());
      Matcher m = listening();
      assertTrue(m != null, "no listening line; out: " + out + " err: " + err);
      return new int[] {Integer.parseInt(m.group(1)), Integer.parseInt(m.group(2))};
    }

    private Matcher listening() {
      synchronized (out) {
        for (String line : out) {
          Matcher m = LISTENING.matcher(line);
          if (m.find()) {
            return m;
          }
        }
      }
      return null;
    }

    @Override
    public void close() {
      process.destroyForcibly();
    }
  }

  private String upstreamUrl() {
    return "http://127.0.0.1:" + upstream.getAddress().getPort();
  }

  private static RawHttp.Response get(int port, String target) throws IOException {
    return RawHttp.exchange(URI.create("http://127.0.0.1:" + port), RawHttp.latin1("GET " + target
        + " HTTP/1.1\r\nHost: 127.0.0.1:" + port + "\r\nConnection: close\r\n\r\n"));
  }

  @Test
  void theLauncherRunsWithNoJdk_cachesReportsHealthAndMetrics_andLogsEachRequest() throws Exception {
    try (Proxy p = new Proxy(Map.of("APICACHE_UPSTREAM", upstreamUrl()), "--port", "0", "--management-port", "0")) {
      int[] ports = p.ports();
      System.out.printf("apicache-proxy distribution: listening %d ms after the launcher started%n",
          TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - p.startedNanos));
      if (System.getProperty("os.name").equals("Linux") && System.getProperty("os.arch").equals("amd64")) {
        assertTrue(p.out.stream().anyMatch(l -> l.contains(", epoll, ")),
            "the distribution carries the native transport: " + p.out);
      }
      RawHttp.Response miss = get(ports[0], "/items");
      assertEquals(200, miss.status());
      assertEquals("MISS", miss.header("X-Cache").orElse(""));
      RawHttp.Response hit = get(ports[0], "/items");
      assertEquals("HIT", hit.header("X-Cache").orElse(""));
      assertEquals("{\"items\":[1,2,3]}", hit.text());
      assertEquals(1, upstreamCalls.get());
      assertEquals(200, get(ports[1], "/health/live").status());
      assertEquals(200, get(ports[1], "/health/ready").status());
      String metrics = get(ports[1], "/metrics").text();
      assertTrue(metrics.contains("apicache") && metrics.contains("jvm_memory"), metrics);
      Awaitility.await("an access-log line per request").atMost(Duration.ofSeconds(60))
          .until(() -> p.out.stream().filter(l -> l.contains("\"GET /items HTTP/1.1\" 200")).count() == 2);
      assertTrue(p.out.stream().anyMatch(l -> l.contains("\"GET /items HTTP/1.1\" 200") && l.contains(" HIT ")),
          String.join("\n", p.out));
    }
  }

  @Test
  void theHeap_followsTheConfiguredCache_notTheMachine() throws Exception {
    Path settings = dir.resolve("sized.properties");
    Files.writeString(settings, "cache-size = 96MiB\n");
    long flag = maxHeapMib(Map.of("APICACHE_UPSTREAM", upstreamUrl()), "--cache-size", "64MiB");
    long environment = maxHeapMib(Map.of("APICACHE_UPSTREAM", upstreamUrl(), "APICACHE_CACHE_SIZE", "1GiB"));
    long file = maxHeapMib(Map.of("APICACHE_UPSTREAM", upstreamUrl()), "--settings", settings.toString());
    long fallback = maxHeapMib(Map.of("APICACHE_UPSTREAM", upstreamUrl()));
    // the cache and 160 MiB; the JVM may round the heap to its region size
    assertEquals(64 + 160, flag, 8);
    assertEquals(1024 + 160, environment, 8);
    assertEquals(96 + 160, file, 8);
    assertEquals(256 + 160, fallback, 8);
  }

  /** The largest heap the proxy's JVM may grow to, read from its own metrics, in MiB. */
  private long maxHeapMib(Map<String, String> env, String... args) throws Exception {
    List<String> all = new ArrayList<>(List.of("--port", "0", "--management-port", "0"));
    all.addAll(List.of(args));
    try (Proxy p = new Proxy(env, all.toArray(String[]::new))) {
      int[] ports = p.ports();
      String metrics = get(ports[1], "/metrics").text();
      Matcher heap = Pattern.compile("jvm_memory_max_bytes\\{area=\"heap\",id=\"G1 Old Gen\"[^}]*} ([0-9.E+]+)")
          .matcher(metrics);
      assertTrue(heap.find(), metrics);
      return (long) (Double.parseDouble(heap.group(1)) / (1024 * 1024));
    }
  }

  @Test
  void aPolicyFile_inYaml_decidesWhatIsCached() throws Exception {
    Path policies = Files.writeString(dir.resolve("policies.yaml"),
        "policies:\n  - path: /items\n    ttl: 60s\n    freshness: policy\n");
    try (Proxy p = new Proxy(Map.of(), "--upstream", upstreamUrl(), "--port", "0", "--management-port", "0",
        "--policies", policies.toString())) {
      int port = p.ports()[0];
      int before = upstreamCalls.get();
      assertEquals("MISS", get(port, "/items").header("X-Cache").orElse(""));
      RawHttp.Response hit = get(port, "/items");
      assertEquals("HIT", hit.header("X-Cache").orElse(""));
      assertEquals("no-cache", hit.header("Cache-Control").orElse(""), "the policy's, not the upstream's max-age");
      assertEquals("BYPASS", get(port, "/nothing-here").header("X-Cache").orElse("BYPASS"));
      assertEquals(before + 1, upstreamCalls.get());
    }
  }

  @Test
  void sigterm_finishesTheRequestInProgress_reportsNotReady_thenExits() throws Exception {
    try (Proxy p = new Proxy(Map.of(), "--upstream", upstreamUrl(), "--port", "0", "--management-port", "0",
        "--drain-timeout", "60s")) {
      int[] ports = p.ports();
      CompletableFuture<RawHttp.Response> inProgress = CompletableFuture.supplyAsync(() -> {
        try {
          return get(ports[0], "/slow");
        } catch (IOException e) {
          throw new java.io.UncheckedIOException(e);
        }
      }, threads);
      assertTrue(slowArrived.await(60, TimeUnit.SECONDS));
      new ProcessBuilder("kill", "-TERM", Long.toString(p.process.pid())).start().waitFor();
      Awaitility.await("the proxy reports not ready while it drains").atMost(Duration.ofSeconds(60))
          .until(() -> get(ports[1], "/health/ready").status() == 503);
      assertTrue(p.process.isAlive(), "it waits for the request in progress");
      releaseSlow.countDown();
      RawHttp.Response r = inProgress.get(60, TimeUnit.SECONDS);
      assertEquals(200, r.status());
      assertEquals("finished", r.text());
      assertTrue(p.process.waitFor(60, TimeUnit.SECONDS), "it exits once drained");
      assertTrue(p.out.stream().anyMatch(l -> l.contains("1 request(s) were in progress, all finished")),
          String.join("\n", p.out));
    }
  }

  @Test
  void aTakenPort_exitsNonZero_withOneLine() throws Exception {
    try (ServerSocket taken = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        Proxy p = new Proxy(Map.of(), "--upstream", upstreamUrl(), "--port", String.valueOf(taken.getLocalPort()),
            "--management-port", "-1")) {
      assertTrue(p.process.waitFor(60, TimeUnit.SECONDS), "it gives up instead of running listening nowhere");
      assertEquals(1, p.process.exitValue());
      Awaitility.await("its one line").atMost(Duration.ofSeconds(60)).until(() -> !p.err.isEmpty());
      List<String> lines = p.err.stream().filter(l -> l.startsWith("apicache-proxy:")).toList();
      assertEquals(1, lines.size(), String.join("\n", p.err));
      assertTrue(lines.get(0).contains("127.0.0.1:" + taken.getLocalPort()), lines.get(0));
    }
  }

  @Test
  void help_listsTheSettings_andExits() throws Exception {
    try (Proxy p = new Proxy(Map.of(), "--help")) {
      assertTrue(p.process.waitFor(60, TimeUnit.SECONDS), "--help exits");
      assertEquals(0, p.process.exitValue());
      Awaitility.await("the usage").atMost(Duration.ofSeconds(60))
          .until(() -> p.out.stream().anyMatch(l -> l.contains("--drain-timeout")));
    }
  }

  @Test
  void aMisspeltSetting_exits2_namingTheSettingMeant() throws Exception {
    try (Proxy p = new Proxy(Map.of("APICACHE_CACHE_SIZ", "64MiB"), "--upstream", upstreamUrl())) {
      assertTrue(p.process.waitFor(60, TimeUnit.SECONDS));
      assertEquals(2, p.process.exitValue());
      Awaitility.await("its one line").atMost(Duration.ofSeconds(60)).until(() -> !p.err.isEmpty());
      assertTrue(p.err.get(0).contains("APICACHE_CACHE_SIZ") && p.err.get(0).contains("cache-size"), p.err.get(0));
      assertFalse(p.err.stream().anyMatch(l -> l.contains("\tat ")), String.join("\n", p.err));
    }
  }

  /**
   * A cold proxy under load from its first second: clients start as soon as it listens and every
   * request is answered within the client's timeout. Prints the first second's figures.
   */
  @Test
  void aColdProxyUnderLoad_answersEveryRequestFromItsFirstSecond() throws Exception {
    try (Proxy p = new Proxy(Map.of(), "--upstream", upstreamUrl(), "--port", "0", "--management-port", "0",
        "--access-log", "off")) {
      int port = p.ports()[0];
      long start = System.nanoTime();
      long end = start + TimeUnit.SECONDS.toNanos(3);
      List<CompletableFuture<long[]>> clients = new ArrayList<>();
      for (int c = 0; c < 16; c++) {
        int client = c;
        clients.add(CompletableFuture.supplyAsync(() -> {
          long ok = 0;
          long failed = 0;
          long worstFirstSecond = 0;
          while (System.nanoTime() < end) {
            long t0 = System.nanoTime();
            try {
              RawHttp.Response r = get(port, "/items?c=" + (client % 4));
              if (r.status() == 200) {
                ok++;
              } else {
                failed++;
              }
            } catch (IOException e) {
              failed++;
            }
            if (t0 - start < TimeUnit.SECONDS.toNanos(1)) {
              worstFirstSecond = Math.max(worstFirstSecond, System.nanoTime() - t0);
            }
          }
          return new long[] {ok, failed, worstFirstSecond};
        }, threads));
      }
      long ok = 0;
      long failed = 0;
      long worst = 0;
      for (CompletableFuture<long[]> c : clients) {
        long[] r = c.get(120, TimeUnit.SECONDS);
        ok += r[0];
        failed += r[1];
        worst = Math.max(worst, r[2]);
      }
      System.out.printf("apicache-proxy distribution, cold start under 16 clients: %d answered, %d failed in 3 s; "
          + "slowest answer in the first second %d ms%n", ok, failed, TimeUnit.NANOSECONDS.toMillis(worst));
      assertEquals(0, failed);
      assertNotEquals(0, ok);
    }
  }

  /**
   * The memory bound RESULTS.md states: resident memory at most the cache size plus a fixed
   * {@value #FIXED_OVERHEAD_MIB} MiB, measured at the process's peak while four and a half times the
   * cache's size of distinct 96 KiB bodies passes through it twice, so that the cache fills, evicts
   * and refills. Linux only: it reads the peak from {@code /proc}.
   */
  @Test
  void residentMemory_staysWithinTheCacheSizePlusItsFixedOverhead_whileTheCacheChurns() throws Exception {
    org.junit.jupiter.api.Assumptions.assumeTrue(Files.isReadable(Path.of("/proc/self/status")), "needs /proc");
    int cacheMib = 64;
    int bodies = 3000;
    try (Proxy p = new Proxy(Map.of(), "--upstream", upstreamUrl(), "--port", "0", "--management-port", "0",
        "--access-log", "off", "--cache-size", cacheMib + "MiB")) {
      int port = p.ports()[0];
      AtomicInteger answered = new AtomicInteger();
      List<CompletableFuture<Void>> clients = new ArrayList<>();
      for (int c = 0; c < 16; c++) {
        int client = c;
        clients.add(CompletableFuture.runAsync(() -> {
          for (int pass = 0; pass < 2; pass++) {
            for (int i = client; i < bodies; i += 16) {
              try {
                RawHttp.Response r = get(port, "/bulk/" + i);
                if (r.status() == 200 && r.body().length == BULK_BYTES) {
                  answered.incrementAndGet();
                }
              } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
              }
            }
          }
        }, threads));
      }
      for (CompletableFuture<Void> c : clients) {
        c.get(600, TimeUnit.SECONDS);
      }
      assertEquals(2 * bodies, answered.get(), "every request answered whole");
      assertTrue(p.process.isAlive(), "the proxy outlived the churn");
      long peakMib = peakResidentKib(p.process.pid()) / 1024;
      System.out.printf("apicache-proxy distribution: peak resident memory %d MiB with a %d MiB cache after %d MiB "
          + "of distinct bodies, twice%n", peakMib, cacheMib, (long) bodies * BULK_BYTES / (1024 * 1024));
      assertTrue(peakMib <= cacheMib + FIXED_OVERHEAD_MIB, "peak resident " + peakMib + " MiB, bound " + cacheMib
          + " + " + FIXED_OVERHEAD_MIB + " MiB");
    }
  }

  /** The proxy's fixed memory beyond its cache, as RESULTS.md states it. */
  static final int FIXED_OVERHEAD_MIB = 400;
  static final int BULK_BYTES = 96 * 1024;

  private static long peakResidentKib(long pid) throws IOException {
    for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "status"))) {
      if (line.startsWith("VmHWM:")) {
        return Long.parseLong(line.replaceAll("[^0-9]", ""));
      }
    }
    throw new AssertionError("no VmHWM in /proc/" + pid + "/status");
  }
}
