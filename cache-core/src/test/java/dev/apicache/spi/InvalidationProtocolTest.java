package dev.apicache.spi;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.Test;

/**
 * The confirmed-invalidation protocol over an in-process transport that delivers each node's
 * messages on that node's own thread, in one order, as Redis pub/sub and a Hazelcast ringbuffer do.
 */
class InvalidationProtocolTest {
  private final List<ExecutorService> threads = new ArrayList<>();

  @AfterEach
  void stopThreads() {
    threads.forEach(ExecutorService::shutdownNow);
  }

  /** A node: its protocol, its delivery thread, and what its listener has dropped. */
  private final class Node {
    final ExecutorService delivery = Executors.newSingleThreadExecutor();
    final Set<String> dropped = ConcurrentHashMap.newKeySet();
    final List<String> events = new CopyOnWriteArrayList<>();
    final InvalidationProtocol protocol;

    Node(ConcurrentHashMap<String, Node> network) {
      threads.add(delivery);
      protocol = new InvalidationProtocol((publisher, ack) -> {
        Node to = network.get(publisher);
        to.delivery.execute(() -> to.protocol.acknowledged(ack));
      });
      protocol.subscribe(listener(dropped, events));
      network.put(protocol.nodeId(), this);
    }

    void deliver(String text) {
      delivery.execute(() -> protocol.received(text));
    }
  }

  private List<Node> network(int size) {
    ConcurrentHashMap<String, Node> byId = new ConcurrentHashMap<>();
    List<Node> nodes = new ArrayList<>();
    for (int i = 0; i < size; i++) {
      nodes.add(new Node(byId));
    }
    return nodes;
  }

  @RepeatedTest(25)
  void aConfirmedPublish_returnsOnlyOnceEveryReceiversListenersDroppedThePartitions() throws Exception {
    List<Node> nodes = network(3);
    Node publisher = nodes.get(0);
    String partition = "p" + System.nanoTime();
    boolean confirmed;
    try (InvalidationProtocol.Publication p = publisher.protocol.publication(List.of(partition, "other"))) {
      nodes.forEach(n -> n.deliver(p.text()));
      confirmed = p.awaitReceivers(nodes.size(), Duration.ofSeconds(30));
    }
    assertTrue(confirmed);
    for (Node n : nodes) {
      assertTrue(n.dropped.containsAll(List.of(partition, "other")), "a node acknowledged before its listeners had it");
    }
  }

  @Test
  void awaitingListedNodes_returnsFalseWhileOneOfThemNeverAcknowledges() throws Exception {
    List<Node> nodes = network(3);
    Node publisher = nodes.get(0);
    try (InvalidationProtocol.Publication p = publisher.protocol.publication(List.of("products"))) {
      nodes.subList(0, 2).forEach(n -> n.deliver(p.text())); // the third never receives it
      Set<String> listed = Set.of(nodes.get(0).protocol.nodeId(), nodes.get(1).protocol.nodeId(),
          nodes.get(2).protocol.nodeId());
      assertFalse(p.awaitNodes(listed, System.nanoTime() + Duration.ofMillis(200).toNanos()));
      assertTrue(p.awaitNodes(Set.of(nodes.get(0).protocol.nodeId(), nodes.get(1).protocol.nodeId()),
          System.nanoTime() + Duration.ofSeconds(30).toNanos()));
    }
  }

  @Test
  void acknowledgementsOfOtherPublications_orMalformed_countForNothing() throws Exception {
    InvalidationProtocol protocol = new InvalidationProtocol((publisher, ack) -> {});
    try (InvalidationProtocol.Publication p = protocol.publication(List.of("products"))) {
      protocol.acknowledged("nodeA 999999");
      protocol.acknowledged("garbage");
      protocol.acknowledged("");
      assertFalse(p.awaitReceivers(1, Duration.ofMillis(50)));
      long sequence = InvalidationMessage.parse(p.text()) instanceof InvalidationMessage.Confirmed c ? c.sequence() : -1;
      protocol.acknowledged(InvalidationMessage.ack("nodeA", sequence));
      protocol.acknowledged(InvalidationMessage.ack("nodeA", sequence)); // the same node twice is one receiver
      assertFalse(p.awaitReceivers(2, Duration.ofMillis(50)));
      assertTrue(p.awaitReceivers(1, Duration.ZERO));
    }
  }

  @Test
  void aPlainMessage_reachesTheListeners_andAsksNobodyForAnAcknowledgement() {
    List<String> acks = new CopyOnWriteArrayList<>();
    List<String> dropped = new CopyOnWriteArrayList<>();
    InvalidationProtocol protocol = new InvalidationProtocol((publisher, ack) -> acks.add(ack));
    protocol.subscribe(listener(dropped, new ArrayList<>()));
    protocol.received(InvalidationProtocol.plain(List.of("a", "b")));
    assertEquals(List.of("a", "b"), dropped);
    assertEquals(List.of(), acks);
  }

  @Test
  void theDeliveryInstant_followsTheLatestAnsweredProbe_andNeverGoesBack() {
    InvalidationProtocol protocol = new InvalidationProtocol((publisher, ack) -> {});
    assertEquals(Long.MIN_VALUE, protocol.deliveredBefore());
    protocol.probeSent(1, 1_000);
    protocol.probeSent(2, 2_000);
    protocol.probeSent(3, 3_000);
    assertFalse(protocol.deliveredThrough(0));
    assertTrue(protocol.deliveredThrough(2), "probes 1 and 2 are answered");
    assertEquals(2_000, protocol.deliveredBefore());
    assertFalse(protocol.deliveredThrough(2), "an answered probe is forgotten");
    protocol.deliveredAt(1_500);
    assertEquals(2_000, protocol.deliveredBefore(), "an older instant does not move it back");
    assertTrue(protocol.deliveredThrough(10));
    assertEquals(3_000, protocol.deliveredBefore());
  }

  @Test
  void theListeners_hearEachConnectionChangeOnce_andNothingAfterClose() {
    List<String> events = new CopyOnWriteArrayList<>();
    InvalidationProtocol protocol = new InvalidationProtocol((publisher, ack) -> {});
    protocol.subscribe(listener(new ArrayList<>(), events));
    protocol.lost(); // not connected yet: nothing to lose
    assertTrue(protocol.restored());
    assertFalse(protocol.restored());
    protocol.startOver();
    protocol.lost();
    protocol.lost();
    assertTrue(protocol.restored());
    assertTrue(protocol.close());
    assertFalse(protocol.close());
    assertFalse(protocol.restored());
    protocol.startOver();
    assertEquals(List.of("restored", "lost", "restored", "lost", "restored"), events);
    assertFalse(protocol.isConnected());
  }

  private static InvalidationBus.Listener listener(Collection<String> dropped, List<String> events) {
    return new InvalidationBus.Listener() {
      @Override
      public void invalidated(Collection<String> partitions) {
        dropped.addAll(partitions);
      }

      @Override
      public void connectionLost() {
        events.add("lost");
      }

      @Override
      public void connectionRestored() {
        events.add("restored");
      }
    };
  }
}
