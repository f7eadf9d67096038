package dev.apicache.store.hazelcast;

import static java.util.Objects.requireNonNull;

import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.core.LifecycleEvent;
import com.hazelcast.topic.ITopic;
import dev.apicache.StoreException;
import dev.apicache.spi.InvalidationBus;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * An {@link InvalidationBus} on a Hazelcast topic, so that a {@code TieredStore} can keep near copies
 * over a {@link HazelcastStore}. A client instance reports its disconnections to the listeners
 * (messages may be lost while it is away); a member is connected while it runs. Thread-safe.
 */
public final class HazelcastInvalidationBus implements InvalidationBus {
  private final HazelcastInstance instance;
  private final ITopic<String> topic;
  private final List<Listener> listeners = new CopyOnWriteArrayList<>();
  private final UUID messageRegistration;
  private final UUID lifecycleRegistration;
  private volatile boolean connected = true;

  private HazelcastInvalidationBus(HazelcastInstance instance, String topicName) {
    this.instance = instance;
    this.topic = instance.getTopic(topicName);
    this.messageRegistration = topic.addMessageListener(message -> {
      List<String> partitions = Arrays.asList(message.getMessageObject().split("\n"));
      listeners.forEach(l -> l.invalidated(partitions));
    });
    this.lifecycleRegistration = instance.getLifecycleService().addLifecycleListener(event -> {
      LifecycleEvent.LifecycleState state = event.getState();
      if (state == LifecycleEvent.LifecycleState.CLIENT_DISCONNECTED
          || state == LifecycleEvent.LifecycleState.SHUTTING_DOWN) {
        connected = false;
        listeners.forEach(Listener::connectionLost);
      } else if (state == LifecycleEvent.LifecycleState.CLIENT_CONNECTED) {
        connected = true;
        listeners.forEach(Listener::connectionRestored);
      }
    });
  }

  /** A bus on the topic {@code apicache-invalidations} of {@code instance}. */
  public static HazelcastInvalidationBus create(HazelcastInstance instance) {
    return create(instance, "apicache-invalidations");
  }

  /** A bus on the topic {@code topicName} of {@code instance}, which the application owns. */
  public static HazelcastInvalidationBus create(HazelcastInstance instance, String topicName) {
    return new HazelcastInvalidationBus(requireNonNull(instance, "instance"), requireNonNull(topicName, "topicName"));
  }

  /**
   * Sends the message without waiting for it (Hazelcast's {@code publishAsync}): a publish never
   * blocks the invalidation that called it, even while members change. A failure is logged; the
   * other nodes then rely on their near copies' maximum age and their own connection state.
   */
  @Override
  public void publish(Collection<String> partitions) {
    try {
      topic.publishAsync(String.join("\n", partitions)).whenComplete((ok, failure) -> {
        if (failure != null) {
          System.getLogger("dev.apicache.store.hazelcast").log(System.Logger.Level.WARNING,
              "apicache could not publish an invalidation: " + failure.getMessage());
        }
      });
    } catch (RuntimeException e) {
      throw new StoreException("could not publish an invalidation: " + e.getMessage(), e);
    }
  }

  @Override
  public void subscribe(Listener listener) {
    listeners.add(requireNonNull(listener, "listener"));
  }

  @Override
  public boolean isConnected() {
    return connected && instance.getLifecycleService().isRunning();
  }

  /** Stops listening; the instance belongs to the application. */
  @Override
  public void close() {
    if (instance.getLifecycleService().isRunning()) {
      topic.removeMessageListener(messageRegistration);
      instance.getLifecycleService().removeLifecycleListener(lifecycleRegistration);
    }
  }
}
