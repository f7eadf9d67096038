package dev.apicache.testing;

import dev.apicache.spi.InvalidationBus;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * An in-process {@link InvalidationBus}: every bus made by one {@link Network} delivers to every
 * other, synchronously. A test can cut a bus off ({@link #disconnect()}) to lose messages.
 */
public final class LocalInvalidationBus implements InvalidationBus {
  /** The buses that hear each other. */
  public static final class Network {
    private final List<LocalInvalidationBus> members = new CopyOnWriteArrayList<>();

    /** A new bus on this network. */
    public LocalInvalidationBus join() {
      LocalInvalidationBus bus = new LocalInvalidationBus(this);
      members.add(bus);
      return bus;
    }
  }

  private final Network network;
  private final List<Listener> listeners = new CopyOnWriteArrayList<>();
  private volatile boolean connected = true;

  private LocalInvalidationBus(Network network) {
    this.network = network;
  }

  @Override
  public void publish(Collection<String> partitions) {
    for (LocalInvalidationBus member : network.members) {
      if (member.connected) {
        member.listeners.forEach(l -> l.invalidated(List.copyOf(partitions)));
      }
    }
  }

  @Override
  public void subscribe(Listener listener) {
    listeners.add(listener);
  }

  @Override
  public boolean isConnected() {
    return connected;
  }

  /** Stops receiving messages, telling the listeners. */
  public void disconnect() {
    connected = false;
    listeners.forEach(Listener::connectionLost);
  }

  /** Receives messages again, telling the listeners. */
  public void reconnect() {
    connected = true;
    listeners.forEach(Listener::connectionRestored);
  }

  @Override
  public void close() {
    network.members.remove(this);
  }
}
