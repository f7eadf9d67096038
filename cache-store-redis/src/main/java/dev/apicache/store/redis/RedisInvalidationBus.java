package dev.apicache.store.redis;

import static java.util.Objects.requireNonNull;

import dev.apicache.StoreException;
import dev.apicache.spi.InvalidationBus;
import io.lettuce.core.AbstractRedisClient;
import io.lettuce.core.RedisChannelHandler;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisConnectionStateListener;
import io.lettuce.core.RedisException;
import io.lettuce.core.RedisURI;
import io.lettuce.core.cluster.RedisClusterClient;
import io.lettuce.core.codec.StringCodec;
import io.lettuce.core.pubsub.RedisPubSubAdapter;
import io.lettuce.core.pubsub.StatefulRedisPubSubConnection;
import java.net.SocketAddress;
import java.time.Duration;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * An {@link InvalidationBus} on Redis pub/sub: one channel, one message per invalidation listing the
 * partitions whose counters moved.
 *
 * <p>Listeners hear {@code connectionLost} as soon as the subscription's connection drops and
 * {@code connectionRestored} once Lettuce has reconnected and resubscribed; a bus that cannot reach
 * Redis at start counts as lost until it can. Publishing uses its own connection and the command
 * timeout. Works on standalone Redis and on Redis Cluster (where PUBLISH reaches every node).
 * Thread-safe; closing it closes its client.
 */
public final class RedisInvalidationBus implements InvalidationBus {
  private static final System.Logger LOG = System.getLogger("dev.apicache.store.redis");

  private final AbstractRedisClient client;
  private final String channel;
  private final Duration timeout;
  private final List<Listener> listeners = new CopyOnWriteArrayList<>();
  private final ScheduledExecutorService connector;
  private volatile StatefulRedisPubSubConnection<String, String> subscription;
  private volatile StatefulRedisPubSubConnection<String, String> publisher;
  private volatile boolean connected;
  private volatile boolean closed;
  /** Guards connected/closed transitions, so listeners hear each change once, in order. */
  private final Object state = new Object();

  private RedisInvalidationBus(AbstractRedisClient client, String channel, Duration timeout) {
    this.client = client;
    this.channel = channel;
    this.timeout = timeout;
    RedisLink.configure(client, timeout);
    client.addListener(new RedisConnectionStateListener() {
      @Override
      public void onRedisDisconnected(RedisChannelHandler<?, ?> connection) {
        if (connection == subscription) {
          lost();
        }
      }

      @Override
      public void onRedisConnected(RedisChannelHandler<?, ?> connection, SocketAddress address) {
        // a reconnected subscription is resubscribed by Lettuce before it delivers; see message()
      }
    });
    this.connector = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "apicache-redis-bus");
      t.setDaemon(true);
      return t;
    });
    connector.execute(this::connect);
  }

  /** A bus on the standalone Redis at {@code uri}, on channel {@code apicache:invalidations}. */
  public static RedisInvalidationBus create(String uri) {
    return create(RedisClient.create(requireNonNull(uri, "uri")), "apicache:invalidations");
  }

  /** A bus on the Redis Cluster reachable through {@code seedUris}. */
  public static RedisInvalidationBus cluster(List<String> seedUris) {
    return create(RedisClusterClient.create(seedUris.stream().map(RedisURI::create).toList()),
        "apicache:invalidations");
  }

  /** A bus on {@code channel} over a client it owns. */
  public static RedisInvalidationBus create(AbstractRedisClient client, String channel) {
    requireNonNull(client, "client");
    requireNonNull(channel, "channel");
    return new RedisInvalidationBus(client, channel, Duration.ofMillis(500));
  }

  private void connect() {
    if (closed) {
      return;
    }
    try {
      StatefulRedisPubSubConnection<String, String> sub = pubSub();
      sub.addListener(new RedisPubSubAdapter<>() {
        @Override
        public void message(String ch, String message) {
          if (!connected) {
            restored(); // the first message after a drop proves the subscription is back
          }
          List<String> partitions = Arrays.asList(message.split("\n"));
          listeners.forEach(l -> l.invalidated(partitions));
        }

        @Override
        public void subscribed(String ch, long count) {
          restored();
        }
      });
      subscription = sub;
      sub.sync().subscribe(channel);
      publisher = pubSub();
      publisher.setTimeout(timeout);
      restored();
    } catch (RuntimeException e) {
      LOG.log(System.Logger.Level.WARNING, "apicache invalidation bus cannot reach Redis yet; near copies stay off: "
          + e.getMessage());
      if (!closed) {
        connector.schedule(this::connect, 500, TimeUnit.MILLISECONDS);
      }
    }
  }

  private StatefulRedisPubSubConnection<String, String> pubSub() {
    return client instanceof RedisClusterClient cluster ? cluster.connectPubSub(StringCodec.UTF8)
        : ((RedisClient) client).connectPubSub(StringCodec.UTF8);
  }

  private void lost() {
    synchronized (state) {
      lostLocked();
    }
  }

  private void lostLocked() {
    if (connected) {
      connected = false;
      listeners.forEach(Listener::connectionLost);
    }
  }

  private void restored() {
    synchronized (state) {
      if (!connected && !closed) {
        connected = true;
        listeners.forEach(Listener::connectionRestored);
      }
    }
  }

  @Override
  public void publish(Collection<String> partitions) {
    StatefulRedisPubSubConnection<String, String> p = publisher;
    if (p == null) {
      throw new StoreException("invalidation bus not connected to Redis");
    }
    try {
      p.sync().publish(channel, String.join("\n", partitions));
    } catch (RedisException e) {
      throw new StoreException("could not publish an invalidation: " + e.getMessage(), e);
    }
  }

  @Override
  public void subscribe(Listener listener) {
    listeners.add(requireNonNull(listener, "listener"));
  }

  @Override
  public boolean isConnected() {
    return connected;
  }

  /**
   * Closes the bus and its client. Lettuce's shutdown waits for its I/O threads, which may be
   * delivering a connection event to this bus: the state lock is therefore never held here.
   */
  @Override
  public void close() {
    synchronized (state) {
      if (closed) {
        return;
      }
      closed = true;
      connected = false;
    }
    connector.shutdownNow();
    if (subscription != null) {
      subscription.close();
    }
    if (publisher != null) {
      publisher.close();
    }
    client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
  }
}
