package dev.apicache.demo;

import com.fasterxml.jackson.databind.JsonNode;
import dev.apicache.CacheStats;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.lang.management.ManagementFactory;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The demo nodes a scenario drives: one in the scenario's own process, or N {@code apicache serve}
 * processes over one store and one database, as replicas of one service behind a load balancer.
 */
final class ScenarioNodes {
  private ScenarioNodes() {}

  /** What a node has counted so far. */
  record Figures(CacheStats.Counts cache, long queries, Set<String> readOnce, Optional<Long> redisCommands) {
    static final Figures NONE = new Figures(CacheStats.Counts.fromScalars(
        new long[CacheStats.Counts.SCALAR_NAMES.size()], Map.of(), Map.of()), 0, Set.of(), Optional.empty());
  }

  /** One replica of the demo. */
  interface Node extends AutoCloseable {
    /** "node 1", "node 2", ...: how reports name it. */
    String name();

    URI base();

    /**
     * What the node has counted, asked now; {@code withReads} adds what it read at least once. A node
     * that cannot answer (killed) gives what it said last.
     */
    Figures poll(boolean withReads);

    /** Kills the node at once, as a crash would (no shutdown hook runs). */
    void kill();

    /** Stops the node, letting it close its pools and stores. */
    @Override
    void close();
  }

  /** The demo in this process, over {@code catalog}, which it closes. */
  static final class InProcess implements Node {
    private final DemoApi api;
    private final SqlCatalog catalog;
    private final Optional<DemoStore> store;

    InProcess(DemoApi api, SqlCatalog catalog, Optional<DemoStore> store) {
      this.api = api;
      this.catalog = catalog;
      this.store = store;
    }

    DemoApi api() {
      return api;
    }

    @Override
    public String name() {
      return "node 1";
    }

    @Override
    public URI base() {
      return URI.create("http://127.0.0.1:" + api.port());
    }

    @Override
    public Figures poll(boolean withReads) {
      return new Figures(api.engine().stats().total(), catalog.queries(), withReads ? catalog.readOnce() : Set.of(),
          store.isPresent() ? store.get().redisCommands() : api.seedCommands());
    }

    @Override
    public void kill() {
      throw new UnsupportedOperationException("the scenario's own node cannot be killed; run --nodes 2 or more");
    }

    @Override
    public void close() {
      api.close();
      catalog.close();
    }
  }

  /** How {@link #start} launches the node processes. */
  record Launch(int nodes, DemoStore.Kind store, String redisUrl, DemoApi.Framework framework, String jdbcUrl,
      String adminToken, Path logDir) {}

  /**
   * Starts {@code launch.nodes()} {@code apicache serve} processes (Hazelcast members one after
   * another, so that each joins the cluster the first formed; the others together) and waits until
   * every one answers. If one fails to start, the others are stopped and the failure says why.
   */
  static List<Node> start(Launch launch, HttpClient http) throws IOException, InterruptedException {
    List<Node> nodes = new ArrayList<>();
    try {
      List<String> members = new ArrayList<>();
      List<Integer> ports = new ArrayList<>();
      if (launch.store().usesHazelcast()) {
        for (int i = 0; i < launch.nodes(); i++) {
          int port = freePort();
          ports.add(port);
          members.add("127.0.0.1:" + port);
        }
      }
      List<CompletableFuture<Process>> starting = new ArrayList<>();
      for (int i = 0; i < launch.nodes(); i++) {
        List<String> command = command(launch, i, ports, members);
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.PIPE);
        builder.environment().put(AdminToken.VARIABLE, launch.adminToken());
        ProcessNode node = new ProcessNode("node " + (i + 1), builder.start(), launch.adminToken(), http,
            launch.logDir().resolve("node-" + (i + 1) + ".log"));
        nodes.add(node);
        if (launch.store().usesHazelcast()) {
          node.awaitReady(Duration.ofSeconds(90));
        }
      }
      for (Node n : nodes) {
        ((ProcessNode) n).awaitReady(Duration.ofSeconds(90));
      }
      return nodes;
    } catch (IOException | InterruptedException | RuntimeException e) {
      nodes.forEach(Node::close);
      throw e;
    }
  }

  private static List<String> command(Launch launch, int index, List<Integer> ports, List<String> members) {
    List<String> c = new ArrayList<>();
    c.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    for (String arg : ManagementFactory.getRuntimeMXBean().getInputArguments()) {
      // what the JDK needs to run the libraries quietly; not a debugger, an agent or a recording
      if (arg.startsWith("--add-opens") || arg.startsWith("--enable-native-access")
          || arg.startsWith("--sun-misc-unsafe-memory-access")) {
        c.add(arg);
      }
    }
    c.add("-Xmx384m");
    c.add("-cp");
    c.add(System.getProperty("java.class.path"));
    c.add(Main.class.getName());
    c.addAll(List.of("serve", "--host", "127.0.0.1", "--port", "0", "--store", launch.store().toString(),
        "--redis-url", launch.redisUrl(), "--framework", launch.framework().toString(), "--db", launch.jdbcUrl(),
        "--stop-with-pid", String.valueOf(ProcessHandle.current().pid())));
    if (launch.store().usesHazelcast()) {
      c.addAll(List.of("--hazelcast-port", String.valueOf(ports.get(index)), "--hazelcast-members",
          String.join(",", members)));
    }
    return c;
  }

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    }
  }

  /** An {@code apicache serve} process; its output goes to a log file, its last lines kept for errors. */
  private static final class ProcessNode implements Node {
    private static final Pattern LISTENING = Pattern.compile("apicache demo listening on (http://\\S+)");

    private final String name;
    private final Process process;
    private final String token;
    private final HttpClient http;
    private final Path log;
    private final Deque<String> lastLines = new ArrayDeque<>();
    private final CompletableFuture<URI> ready = new CompletableFuture<>();
    private volatile Figures last = Figures.NONE;

    ProcessNode(String name, Process process, String token, HttpClient http, Path log) {
      this.name = name;
      this.process = process;
      this.token = token;
      this.http = http;
      this.log = log;
      Thread reader = new Thread(this::readOutput, "apicache-scenario-" + name.replace(' ', '-'));
      reader.setDaemon(true);
      reader.start();
    }

    private void readOutput() {
      try (BufferedReader in = new BufferedReader(new InputStreamReader(process.getInputStream(),
          StandardCharsets.UTF_8)); var out = java.nio.file.Files.newBufferedWriter(log)) {
        String line;
        while ((line = in.readLine()) != null) {
          out.write(line);
          out.newLine();
          out.flush();
          synchronized (lastLines) {
            lastLines.addLast(line);
            if (lastLines.size() > 40) {
              lastLines.removeFirst();
            }
          }
          Matcher m = LISTENING.matcher(line);
          if (m.find()) {
            ready.complete(URI.create(m.group(1)));
          }
        }
      } catch (IOException e) {
        // the process is gone; waiting for it to be ready says so
      }
      ready.completeExceptionally(new IllegalStateException(name + " exited (" + exitCode() + ") before it answered:\n"
          + output()));
    }

    private String exitCode() {
      try {
        return process.waitFor(5, TimeUnit.SECONDS) ? "exit code " + process.exitValue() : "still running";
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return "unknown";
      }
    }

    private String output() {
      synchronized (lastLines) {
        return String.join("\n", lastLines);
      }
    }

    void awaitReady(Duration atMost) throws InterruptedException {
      try {
        ready.get(atMost.toMillis(), TimeUnit.MILLISECONDS);
      } catch (java.util.concurrent.ExecutionException e) {
        throw (RuntimeException) e.getCause();
      } catch (java.util.concurrent.TimeoutException e) {
        throw new IllegalStateException(name + " did not start within " + atMost.toSeconds() + " s:\n" + output());
      }
    }

    @Override
    public String name() {
      return name;
    }

    @Override
    public URI base() {
      return ready.join();
    }

    @Override
    public Figures poll(boolean withReads) {
      if (!process.isAlive()) {
        return last;
      }
      try {
        JsonNode stats = get(DemoApi.ADMIN_PREFIX + "stats").path("total");
        long[] scalars = new long[CacheStats.Counts.SCALAR_NAMES.size()];
        for (int i = 0; i < scalars.length; i++) {
          scalars[i] = stats.path(CacheStats.Counts.SCALAR_NAMES.get(i)).asLong();
        }
        JsonNode node = get(ProductApi.NODE_PATH + (withReads ? "?reads" : ""));
        Set<String> reads = new HashSet<>();
        node.path("readOnce").forEach(r -> reads.add(r.asText()));
        Figures f = new Figures(CacheStats.Counts.fromScalars(scalars, Map.of(), Map.of()),
            node.path("queries").asLong(), withReads ? reads : last.readOnce(),
            node.has("redisCommands") ? Optional.of(node.path("redisCommands").asLong()) : Optional.empty());
        last = f;
        return f;
      } catch (IOException e) {
        return last; // killed between the check and the call
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return last;
      }
    }

    private JsonNode get(String path) throws IOException, InterruptedException {
      HttpResponse<byte[]> r = http.send(HttpRequest.newBuilder(base().resolve(path)).timeout(Duration.ofSeconds(10))
          .header("Authorization", "Bearer " + token).GET().build(), HttpResponse.BodyHandlers.ofByteArray());
      if (r.statusCode() != 200) {
        throw new IOException(name + " answered " + r.statusCode() + " to " + path);
      }
      return DemoApi.JSON.readTree(r.body());
    }

    @Override
    public void kill() {
      process.destroyForcibly();
      try {
        process.waitFor(10, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }

    @Override
    public void close() {
      process.destroy(); // SIGTERM: the node's shutdown hook closes its server, pool and store
      try {
        if (!process.waitFor(30, TimeUnit.SECONDS)) {
          process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        process.destroyForcibly();
      }
    }
  }

  /** What a node counted since {@code base}: counters subtracted, only the things first read since. */
  static Figures since(Figures now, Figures base) {
    long[] a = now.cache().scalars();
    long[] b = base.cache().scalars();
    long[] d = new long[a.length];
    for (int i = 0; i < a.length; i++) {
      d[i] = a[i] - b[i];
    }
    Set<String> reads = new HashSet<>(now.readOnce());
    reads.removeAll(base.readOnce());
    Optional<Long> redis = now.redisCommands().map(n -> n - base.redisCommands().orElse(0L));
    return new Figures(CacheStats.Counts.fromScalars(d, Map.of(), Map.of()), now.queries() - base.queries(), reads,
        redis);
  }

  /** Merges what the nodes read at least once: the distinct things any cache must fetch once. */
  static Set<String> union(List<Figures> figures) {
    Set<String> all = new HashSet<>();
    figures.forEach(f -> all.addAll(f.readOnce()));
    return all;
  }

  /** The nodes' cache counters added up. */
  static CacheStats.Counts total(List<Figures> figures) {
    return CacheStats.Counts.sum(figures.stream().map(Figures::cache).toList());
  }

  /** Redis commands of every node, when they use Redis. */
  static Optional<Long> redisCommands(List<Figures> figures) {
    Map<Boolean, Long> sum = new HashMap<>();
    figures.forEach(f -> f.redisCommands().ifPresent(n -> sum.merge(true, n, Long::sum)));
    return Optional.ofNullable(sum.get(true));
  }
}
