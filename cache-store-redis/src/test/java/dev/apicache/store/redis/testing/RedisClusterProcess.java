package dev.apicache.store.redis.testing;

import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A 3-master Redis Cluster of the test's own, on free loopback ports, created with
 * {@code redis-cli --cluster create} and stopped with the test.
 */
public final class RedisClusterProcess implements AutoCloseable {
  private final List<RedisProcess> nodes = new ArrayList<>();

  /** Starts the nodes on free ports and joins them; returns once the cluster is ok. */
  public static RedisClusterProcess start() throws Exception {
    RedisClusterProcess cluster = new RedisClusterProcess();
    try {
      for (int i = 0; i < 3; i++) {
        cluster.nodes.add(RedisProcess.start("--cluster-enabled", "yes", "--cluster-config-file", "nodes.conf",
            "--cluster-node-timeout", "2000"));
      }
      List<String> command = new ArrayList<>(List.of("redis-cli", "--cluster", "create"));
      for (RedisProcess n : cluster.nodes) {
        command.add("127.0.0.1:" + n.port());
      }
      command.addAll(List.of("--cluster-replicas", "0", "--cluster-yes"));
      Process create;
      try {
        create = new ProcessBuilder(command).redirectErrorStream(true).start();
      } catch (IOException e) {
        throw new IOException(RedisProcess.MISSING_TOOLS.replace("redis-server is", "redis-cli is"), e);
      }
      String output = new String(create.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      if (!create.waitFor(60, TimeUnit.SECONDS) || create.exitValue() != 0) {
        throw new IOException("redis-cli --cluster create failed:\n" + output);
      }
      for (RedisProcess n : cluster.nodes) {
        await("() -> clusterInfo(n.port()).contains(\"cluster_state:ok\")")
            .atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(100))
            .until(() -> clusterInfo(n.port()).contains("cluster_state:ok"));
      }
      return cluster;
    } catch (Exception e) {
      cluster.close();
      throw e;
    }
  }

  private static String clusterInfo(int port) throws IOException, InterruptedException {
    Process p = new ProcessBuilder("redis-cli", "-p", Integer.toString(port), "cluster", "info")
        .redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    p.waitFor(10, TimeUnit.SECONDS);
    return out;
  }

  /** A {@code redis://} URI per node. */
  public List<String> uris() {
    List<String> uris = new ArrayList<>();
    for (RedisProcess n : nodes) {
      uris.add(n.uri());
    }
    return uris;
  }

  @Override
  public void close() {
    nodes.forEach(RedisProcess::close);
  }
}
