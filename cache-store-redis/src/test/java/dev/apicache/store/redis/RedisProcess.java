package dev.apicache.store.redis;

import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * A redis-server process of the test's own, on a free loopback port, that the test can stop and
 * start again on the same port. Published in this module's test-jar so that other modules' tests
 * need not share the Redis on 6379 with whatever else runs there.
 */
public final class RedisProcess implements AutoCloseable {
  private final int port;
  private final Path dir;
  private final List<String> extraArgs;
  private Process process;

  private RedisProcess(int port, Path dir, List<String> extraArgs) {
    this.port = port;
    this.dir = dir;
    this.extraArgs = extraArgs;
  }

  /** Starts a server on a free port. */
  public static RedisProcess start(String... extraArgs) throws IOException {
    RedisProcess p = notStarted(freePort(), extraArgs);
    p.startAgain();
    return p;
  }

  /** A server for {@code port} that is not running yet: {@link #startAgain()} starts it. */
  static RedisProcess notStarted(int port, String... extraArgs) throws IOException {
    return new RedisProcess(port, Files.createTempDirectory("apicache-redis"), List.of(extraArgs));
  }

  static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0)) {
      s.setReuseAddress(true);
      return s.getLocalPort();
    }
  }

  int port() {
    return port;
  }

  public String uri() {
    return "redis://127.0.0.1:" + port;
  }

  Path dir() {
    return dir;
  }

  /** Starts the server (again) and waits until it accepts connections. */
  void startAgain() throws IOException {
    List<String> command = new ArrayList<>(List.of("redis-server", "--port", Integer.toString(port), "--bind",
        "127.0.0.1", "--save", "", "--appendonly", "no", "--dir", dir.toString()));
    command.addAll(extraArgs);
    process = new ProcessBuilder(command).redirectErrorStream(true)
        .redirectOutput(dir.resolve("redis.log").toFile()).start();
    await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(10)).until(this::accepts);
  }

  private boolean accepts() {
    try {
      new Socket("127.0.0.1", port).close();
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  /** Kills the server at once, as a crash would. */
  void kill() throws InterruptedException {
    if (process != null) {
      process.destroyForcibly();
      process.waitFor();
      process = null;
    }
  }

  @Override
  public void close() {
    try {
      kill();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
