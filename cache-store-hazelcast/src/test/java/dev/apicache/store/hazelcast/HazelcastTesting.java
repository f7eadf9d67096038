package dev.apicache.store.hazelcast;

import com.hazelcast.client.HazelcastClient;
import com.hazelcast.client.config.ClientConfig;
import com.hazelcast.config.Config;
import com.hazelcast.config.JoinConfig;
import com.hazelcast.core.Hazelcast;
import com.hazelcast.core.HazelcastInstance;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Members and clients for tests: clusters of their own on loopback, each member on a port chosen
 * for it and joining only its cluster's addresses (explicit TCP-IP, no multicast, no port scan),
 * so that no member ever talks to another test's or another build's.
 */
final class HazelcastTesting {
  private HazelcastTesting() {}

  static String newClusterName() {
    return "apicache-test-" + UUID.randomUUID();
  }

  /** A member on its own: a cluster of one, with no one to join. */
  static HazelcastInstance member(String clusterName) {
    return new TestCluster(clusterName, 1).member();
  }

  /**
   * A cluster of the test's own: a unique name and a loopback port for each of its members, chosen
   * up front so that each member joins the others by address.
   */
  static final class TestCluster {
    final String name;
    private final List<Integer> ports;
    private final AtomicInteger started = new AtomicInteger();

    TestCluster(int members) {
      this(newClusterName(), members);
    }

    private TestCluster(String name, int members) {
      this.name = name;
      this.ports = freePorts(members);
    }

    /** Starts the next member; at most as many as the cluster was made for. */
    HazelcastInstance member() {
      int index = started.getAndIncrement();
      return Hazelcast.newHazelcastInstance(config(name, ports.get(index), ports));
    }

    /** The port of the member started {@code index}-th. */
    int port(int index) {
      return ports.get(index);
    }
  }

  /** A member's configuration: {@code port} on loopback, joining the members on {@code ports} only. */
  static Config config(String clusterName, int port, List<Integer> ports) {
    Config config = new Config();
    config.setClusterName(clusterName);
    config.setProperty("hazelcast.phone.home.enabled", "false");
    config.setProperty("hazelcast.logging.type", "jdk");
    config.setProperty("hazelcast.partition.count", "31");
    config.getJetConfig().setEnabled(false);
    config.getNetworkConfig().setPort(port).setPortAutoIncrement(false);
    config.getNetworkConfig().getInterfaces().setEnabled(true).addInterface("127.0.0.1");
    JoinConfig join = config.getNetworkConfig().getJoin();
    join.getMulticastConfig().setEnabled(false);
    join.getAutoDetectionConfig().setEnabled(false);
    if (ports.size() > 1) {
      for (int p : ports) {
        join.getTcpIpConfig().setEnabled(true).addMember("127.0.0.1:" + p);
      }
    }
    return config;
  }

  static HazelcastInstance client(String clusterName, HazelcastInstance anyMember) {
    return client(clusterName, ((InetSocketAddress) anyMember.getLocalEndpoint().getSocketAddress()).getPort());
  }

  static HazelcastInstance client(String clusterName, int memberPort) {
    ClientConfig config = new ClientConfig();
    config.setClusterName(clusterName);
    config.setProperty("hazelcast.phone.home.enabled", "false");
    config.setProperty("hazelcast.logging.type", "jdk");
    config.getNetworkConfig().addAddress("127.0.0.1:" + memberPort);
    return HazelcastClient.newHazelcastClient(config);
  }

  /** {@code n} distinct loopback ports free right now, each held until all are found. */
  static List<Integer> freePorts(int n) {
    List<ServerSocket> held = new ArrayList<>();
    try {
      List<Integer> ports = new ArrayList<>();
      for (int i = 0; i < n; i++) {
        ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress());
        held.add(s);
        ports.add(s.getLocalPort());
      }
      return ports;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } finally {
      for (ServerSocket s : held) {
        try {
          s.close();
        } catch (IOException ignored) {
          // a port we could not close is still free for the member once the JVM lets go of it
        }
      }
    }
  }
}
