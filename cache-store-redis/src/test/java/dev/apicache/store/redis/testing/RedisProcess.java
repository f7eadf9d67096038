package dev.apicache.store.redis.testing;

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
 * start again on the same port. Published in this module's test-jar so that every module's tests
 * start the Redis they use: no test reads or writes a Redis it did not start.
 */
public final class RedisProcess implements AutoCloseable {
  /** What to do when the tools are missing, in one line. */
  public static final String MISSING_TOOLS = "redis-server is not on the PATH: the Redis tests start their own servers;"
      + " install it with Debian's packages redis-server and redis-tools (apt-get install redis-server redis-tools)";

  private static RedisProcess shared;

  private final int port;
  private final Path dir;
  private final List<String> extraArgs;
  private final String sentinelConfig;
  private Process process;

  private RedisProcess(int port, Path dir, List<String> extraArgs, String sentinelConfig) {
    this.port = port;
    this.dir = dir;
    this.extraArgs = extraArgs;
    this.sentinelConfig = sentinelConfig;
  }

  /**
   * A Redis Sentinel on a free port that monitors {@code monitored} as master {@code master}, with
   * a quorum of one; returns once it accepts connections.
   */
  public static RedisProcess sentinel(String master, RedisProcess monitored) throws IOException {
    int port = freePort();
    String config = "port " + port + "\nbind 127.0.0.1\nsentinel monitor " + master + " 127.0.0.1 "
        + monitored.port() + " 1\n";
    RedisProcess p = new RedisProcess(port, Files.createTempDirectory("apicache-sentinel"), List.of(), config);
    p.startAgain();
    return p;
  }

  /** Starts a server on a free port. */
  public static RedisProcess start(String... extraArgs) throws IOException {
    RedisProcess p = notStarted(freePort(), extraArgs);
    p.startAgain();
    return p;
  }

  /**
   * The server shared by the tests of this JVM that need a plain standalone Redis and keep to key
   * prefixes of their own: started on first use, stopped when the JVM exits.
   */
  public static synchronized RedisProcess shared() throws IOException {
    if (shared == null) {
      RedisProcess p = start();
      Runtime.getRuntime().addShutdownHook(new Thread(p::close, "apicache-test-redis-stop"));
      shared = p;
    }
    return shared;
  }

  /** A server for {@code port} that is not running yet: {@link #startAgain()} starts it. */
  public static RedisProcess notStarted(int port, String... extraArgs) throws IOException {
    return new RedisProcess(port, Files.createTempDirectory("apicache-redis"), List.of(extraArgs), null);
  }

  /** A port nothing listens on right now. */
  public static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0)) {
      s.setReuseAddress(true);
      return s.getLocalPort();
    }
  }

  /** How many keys the server holds (DBSIZE of database 0), asked with redis-cli. */
  public long keyCount() throws IOException, InterruptedException {
    Process cli = new ProcessBuilder("redis-cli", "-h", "127.0.0.1", "-p", Integer.toString(port), "DBSIZE")
        .redirectErrorStream(true).start();
    String out = new String(cli.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8).trim();
    if (cli.waitFor() != 0) {
      throw new IOException("redis-cli DBSIZE failed: " + out);
    }
    return Long.parseLong(out);
  }

  /** The port it listens on, on 127.0.0.1. */
  public int port() {
    return port;
  }

  public String uri() {
    return "redis://127.0.0.1:" + port;
  }

  public Path dir() {
    return dir;
  }

  /** Starts the server (again) and waits until it accepts connections. */
  public void startAgain() throws IOException {
    List<String> command;
    if (sentinelConfig != null) {
      // a sentinel rewrites its configuration file, so it gets one of its own
      Path config = dir.resolve("sentinel.conf");
      Files.writeString(config, sentinelConfig);
      command = List.of("redis-server", config.toString(), "--sentinel", "--dir", dir.toString());
    } else {
      command = new ArrayList<>(List.of("redis-server", "--port", Integer.toString(port), "--bind",
          "127.0.0.1", "--save", "", "--appendonly", "no", "--dir", dir.toString()));
      command.addAll(extraArgs);
    }
    try {
      process = new ProcessBuilder(command).redirectErrorStream(true)
          .redirectOutput(dir.resolve("redis.log").toFile()).start();
    } catch (IOException e) {
      throw new IOException(MISSING_TOOLS, e);
    }
    await("this::accepts").atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(10)).until(this::accepts);
  }

  private boolean accepts() {
    try {
      new Socket("127.0.0.1", port).close();
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  /**
   * Freezes the server (SIGSTOP), as a long GC-like stall, a paused VM or a partition would: its
   * connections stay open and nothing answers until {@link #resume()}.
   */
  public void pause() throws IOException, InterruptedException {
    signal("-STOP");
  }

  /** Lets a {@linkplain #pause() paused} server run again (SIGCONT); harmless on a running one. */
  public void resume() throws IOException, InterruptedException {
    signal("-CONT");
  }

  private void signal(String signal) throws IOException, InterruptedException {
    if (process == null) {
      throw new IllegalStateException("the server is not running");
    }
    int exit = new ProcessBuilder("kill", signal, Long.toString(process.pid())).inheritIO().start().waitFor();
    if (exit != 0) {
      throw new IOException("kill " + signal + " " + process.pid() + " exited with " + exit);
    }
  }

  /** Kills the server at once, as a crash would. */
  public void kill() throws InterruptedException {
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
