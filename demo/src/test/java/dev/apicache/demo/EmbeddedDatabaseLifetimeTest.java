package dev.apicache.demo;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** An embedded PostgreSQL never outlives the process that started it, even one killed outright. */
class EmbeddedDatabaseLifetimeTest {
  private static final Pattern DATABASE = Pattern.compile("database: embedded PostgreSQL \\S+ at jdbc:postgresql://127\\.0\\.0\\.1:(\\d+)/");

  @Test
  void aServeProcessKilledWithSigkill_leavesNoPostgresRunning() throws Exception {
    Process serve = serve();
    CompletableFuture<Integer> port = databasePort(serve);
    try {
      int pg = port.get(90, TimeUnit.SECONDS);
      assertTrue(accepts(pg), "PostgreSQL runs while its owner does");
      serve.destroyForcibly(); // SIGKILL: no shutdown hook runs
      assertTrue(serve.waitFor(30, TimeUnit.SECONDS));
      assertTrue(stopsAccepting(pg), "PostgreSQL on port " + pg + " outlived the process that started it");
    } finally {
      serve.destroyForcibly();
    }
  }

  /** A node the scenario starts exits with the scenario, however the scenario ends. */
  @Test
  void serveWithStopWithPid_exitsWhenThatProcessEnds() throws Exception {
    Process parent = new ProcessBuilder("sleep", "600").start();
    Process serve = serve("--stop-with-pid", String.valueOf(parent.pid()));
    try {
      int pg = databasePort(serve).get(90, TimeUnit.SECONDS);
      assertTrue(serve.isAlive());
      parent.destroyForcibly();
      assertTrue(serve.waitFor(30, TimeUnit.SECONDS), "serve exited with the process it was told to stop with");
      assertTrue(stopsAccepting(pg), "and closed its PostgreSQL on the way out");
    } finally {
      parent.destroyForcibly();
      serve.destroyForcibly();
    }
  }

  private static Process serve(String... more) throws IOException {
    List<String> command = new java.util.ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java")
        .toString(), "-cp", System.getProperty("java.class.path"), Main.class.getName(), "serve", "--port", "0"));
    command.addAll(List.of(more));
    Process serve = new ProcessBuilder(command).redirectErrorStream(true).start();
    serve.getOutputStream().close();
    return serve;
  }

  /** Polls, at most 30 s, until nothing accepts connections on {@code port}. */
  private static boolean stopsAccepting(int port) {
    try {
      org.awaitility.Awaitility.await("() -> !accepts(port)").atMost(java.time.Duration.ofSeconds(30))
          .pollInterval(java.time.Duration.ofMillis(100)).until(() -> !accepts(port));
      return true;
    } catch (org.awaitility.core.ConditionTimeoutException e) {
      return false;
    }
  }

  private static CompletableFuture<Integer> databasePort(Process serve) {
    CompletableFuture<Integer> port = new CompletableFuture<>();
    Thread reader = new Thread(() -> {
      try (BufferedReader in = new BufferedReader(new InputStreamReader(serve.getInputStream(), StandardCharsets.UTF_8))) {
        String line;
        while ((line = in.readLine()) != null) {
          Matcher m = DATABASE.matcher(line);
          if (m.find()) {
            port.complete(Integer.parseInt(m.group(1)));
          }
        }
      } catch (IOException e) {
        // the process is gone
      }
      port.completeExceptionally(new IllegalStateException("serve exited before naming its database"));
    });
    reader.setDaemon(true);
    reader.start();
    return port;
  }

  private static boolean accepts(int port) {
    try (Socket s = new Socket()) {
      s.connect(new InetSocketAddress("127.0.0.1", port), 500);
      return true;
    } catch (IOException e) {
      return false;
    }
  }
}
