package dev.apicache.store.hazelcast;

import com.hazelcast.core.Hazelcast;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * A Hazelcast member in a JVM of its own, on a loopback port of the test's choosing, that the test
 * can freeze (SIGSTOP) and thaw as a long pause or a partition would, and kill. Its output goes to a
 * file, kept for a failing test to read.
 */
final class HazelcastMemberProcess implements AutoCloseable {
  private static final String READY = "apicache-test-member-ready";

  private final Process process;
  private final int port;
  private final Path log;

  private HazelcastMemberProcess(Process process, int port, Path log) {
    this.process = process;
    this.port = port;
    this.log = log;
  }

  /** Starts a member of {@code clusterName} alone on a free port and waits until it is up. */
  static HazelcastMemberProcess start(String clusterName) throws IOException, InterruptedException {
    int port = HazelcastTesting.freePorts(1).get(0);
    Path log = Files.createTempFile("apicache-hazelcast-member", ".log");
    String javaCommand = ProcessHandle.current().info().command().orElse("java");
    Process p = new ProcessBuilder(javaCommand, "-cp", System.getProperty("java.class.path"),
        HazelcastMemberProcess.class.getName(), clusterName, Integer.toString(port))
        .redirectErrorStream(true).start();
    CompletableFuture<Boolean> ready = new CompletableFuture<>();
    Thread copier = new Thread(() -> {
      try (BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
        for (String line; (line = out.readLine()) != null; ) {
          Files.writeString(log, line + "\n", StandardOpenOption.APPEND);
          if (line.equals(READY)) {
            ready.complete(true);
          }
        }
      } catch (IOException e) {
        ready.completeExceptionally(e);
      }
      ready.complete(false);
    }, "hazelcast-member-output");
    copier.setDaemon(true);
    copier.start();
    try {
      if (!ready.get(120, TimeUnit.SECONDS)) {
        throw new IOException("the member process ended before it was up; its output: " + Files.readString(log));
      }
    } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
      p.destroyForcibly();
      throw new IOException("the member process did not come up within 120 s; its output: " + Files.readString(log), e);
    }
    return new HazelcastMemberProcess(p, port, log);
  }

  int port() {
    return port;
  }

  /** Freezes the member: its connections stay open and nothing answers until {@link #thaw()}. */
  void freeze() throws IOException, InterruptedException {
    signal("-STOP");
  }

  /** Lets a frozen member run again. */
  void thaw() throws IOException, InterruptedException {
    signal("-CONT");
  }

  private void signal(String signal) throws IOException, InterruptedException {
    int exit = new ProcessBuilder("kill", signal, Long.toString(process.pid())).inheritIO().start().waitFor();
    if (exit != 0) {
      throw new IOException("kill " + signal + " " + process.pid() + " exited with " + exit);
    }
  }

  @Override
  public void close() throws InterruptedException {
    process.destroyForcibly();
    process.waitFor(30, TimeUnit.SECONDS);
  }

  /** The member's own JVM: {@code <cluster name> <port>}; up until killed. */
  public static void main(String[] args) throws InterruptedException {
    // never outlive the test's JVM, however it ends
    ProcessHandle.current().parent().ifPresent(parent -> parent.onExit().thenRun(() -> Runtime.getRuntime().halt(0)));
    Hazelcast.newHazelcastInstance(HazelcastTesting.config(args[0], Integer.parseInt(args[1]),
        List.of(Integer.parseInt(args[1]))));
    System.out.println(READY);
    System.out.flush();
    Thread.currentThread().join(); // the member's threads serve; this one only keeps the JVM up
  }
}
