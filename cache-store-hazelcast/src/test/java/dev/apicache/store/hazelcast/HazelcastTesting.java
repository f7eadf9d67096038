package dev.apicache.store.hazelcast;

import com.hazelcast.client.HazelcastClient;
import com.hazelcast.client.config.ClientConfig;
import com.hazelcast.config.Config;
import com.hazelcast.config.JoinConfig;
import com.hazelcast.core.Hazelcast;
import com.hazelcast.core.HazelcastInstance;
import java.util.UUID;

/** Members and clients for tests: a cluster of their own on loopback, explicit TCP-IP join, nothing else. */
final class HazelcastTesting {
  private HazelcastTesting() {}

  static String newClusterName() {
    return "apicache-test-" + UUID.randomUUID();
  }

  static HazelcastInstance member(String clusterName) {
    Config config = new Config();
    config.setClusterName(clusterName);
    config.setProperty("hazelcast.phone.home.enabled", "false");
    config.setProperty("hazelcast.logging.type", "jdk");
    config.setProperty("hazelcast.partition.count", "31");
    config.getJetConfig().setEnabled(false);
    config.getNetworkConfig().setPort(5701).setPortAutoIncrement(true).setPortCount(100);
    JoinConfig join = config.getNetworkConfig().getJoin();
    join.getMulticastConfig().setEnabled(false);
    join.getAutoDetectionConfig().setEnabled(false);
    join.getTcpIpConfig().setEnabled(true).addMember("127.0.0.1");
    config.getNetworkConfig().getInterfaces().setEnabled(true).addInterface("127.0.0.1");
    return Hazelcast.newHazelcastInstance(config);
  }

  static HazelcastInstance client(String clusterName, HazelcastInstance anyMember) {
    ClientConfig config = new ClientConfig();
    config.setClusterName(clusterName);
    config.setProperty("hazelcast.phone.home.enabled", "false");
    config.setProperty("hazelcast.logging.type", "jdk");
    java.net.InetSocketAddress a = (java.net.InetSocketAddress) anyMember.getLocalEndpoint().getSocketAddress();
    config.getNetworkConfig().addAddress("127.0.0.1:" + a.getPort());
    return HazelcastClient.newHazelcastClient(config);
  }
}
