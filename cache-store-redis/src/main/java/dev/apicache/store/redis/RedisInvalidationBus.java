package dev.apicache.store.redis;

import static java.util.Objects.requireNonNull;

import dev.apicache.StoreException;
import dev.apicache.spi.InvalidationBus;
import dev.apicache.spi.InvalidationProtocol;
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
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.jspecify.annotations.Nullable;

/**
 * An {@link InvalidationBus} on Redis pub/sub: one channel, one message per invalidation listing the
 * partitions whose counters moved.
 *
 * <p>The bus {@linkplain #confirmsDelivery() confirms delivery} with core's
 * {@link InvalidationProtocol}, bound to Redis: each node acknowledges every invalidation once its
 * listeners have it, on the publisher's own acknowledgement channel, and {@link #publishConfirmed}
 * waits for as many acknowledgements as PUBLISH counted receivers. Each node also publishes a
 * heartbeat to itself every {@link #HEARTBEAT_INTERVAL}, the protocol's probe: Redis delivers a
 * subscriber's messages in the order it processed them, so when a heartbeat comes back, every
 * message published before it was sent has been delivered ({@link #deliveredBefore()}). A node that
 * misses a message cannot move that instant past it. Every subscriber of the channel is expected to
 * acknowledge: a foreign subscriber, or a node of an older version, makes each confirmed publish
 * wait its whole limit.
 *
 * <p>On Redis Cluster the bus uses sharded pub/sub (SSUBSCRIBE, SPUBLISH, Redis 7.0 or later) on
 * channels that share one hash slot (the channel name is wrapped in a hash tag unless it has one),
 * so that one node orders all of them and SPUBLISH counts that node's receivers. When the slot
 * moves, or the node goes, the bus subscribes again on the slot's new owner.
 *
 * <p>Listeners hear {@code connectionLost} as soon as the subscription drops, is moved by the
 * cluster, or returns no heartbeat for a second, and {@code connectionRestored} once all its
 * channels are subscribed again; a bus that cannot reach Redis at start counts as lost until it
 * can. Publishing uses its own connection and the command timeout. Thread-safe; closing it closes
 * its client.
 *
 * @since 0.1
 */
public final class RedisInvalidationBus implements InvalidationBus {
  private static final System.Logger LOG = System.getLogger("dev.apicache.store.redis");

  /** How often a node checks that its subscription is current. */
  public static final Duration HEARTBEAT_INTERVAL = Duration.ofMillis(100);
  /** A subscription that has returned no heartbeat for this long is treated as dropped. */
  private static final Duration STALLED = HEARTBEAT_INTERVAL.multipliedBy(10);

  private final AbstractRedisClient client;
  private final String channel;
  private final InvalidationProtocol protocol;
  private final String ackChannel;
  private final String heartbeatChannel;
  /** Redis Cluster: the bus's channels share one hash slot and use sharded pub/sub. */
  private final boolean sharded;
  /** When a heartbeat last came back, or the subscription was last (re)established. */
  private volatile long lastHeartbeatBack = System.nanoTime();
  private final AtomicBoolean resubscribing = new AtomicBoolean();
  private final AtomicLong heartbeats = new AtomicLong();
  private final Duration timeout;
  private final ScheduledExecutorService connector;
  private volatile @Nullable StatefulRedisPubSubConnection<String, String> subscription;
  private volatile @Nullable StatefulRedisPubSubConnection<String, String> publisher;
  /** Touched by the connector thread only. */
  private boolean connectFailureLogged;

  private RedisInvalidationBus(AbstractRedisClient client, String channel, Duration timeout) {
    this.client = client;
    this.sharded = client instanceof RedisClusterClient;
    this.channel = sharded ? inOneSlot(channel) : channel;
    this.protocol = new InvalidationProtocol(this::acknowledge);
    this.ackChannel = ackChannel(protocol.nodeId());
    this.heartbeatChannel = this.channel + ":heartbeat:" + protocol.nodeId();
    this.timeout = timeout;
    RedisLink.configure(client, timeout);
    client.addListener(new RedisConnectionStateListener() {
      @Override
      public void onRedisDisconnected(RedisChannelHandler<?, ?> connection) {
        // on a cluster the subscription lives on a node connection of its own, which this listener
        // cannot tell from the others: any drop counts, and the bus subscribes again itself
        if (connection == subscription || sharded) {
          lost();
          resubscribeSoon();
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

  private String ackChannel(String node) {
    return channel + ":ack:" + node;
  }

  private void connect() {
    if (protocol.isClosed()) {
      return;
    }
    StatefulRedisPubSubConnection<String, String> pub = null;
    StatefulRedisPubSubConnection<String, String> sub = null;
    try {
      // the publisher first: the subscription's first callback marks the bus connected, and a
      // connected bus must be able to publish at once
      pub = pubSub();
      pub.setTimeout(timeout);
      publisher = pub;
      sub = pubSub();
      sub.addListener(new RedisPubSubAdapter<>() {
        @Override
        public void message(String ch, String message) {
          onMessage(ch, message);
        }

        @Override
        public void smessage(String ch, String message) {
          onMessage(ch, message);
        }

        @Override
        public void subscribed(String ch, long count) {
          onSubscribed(count);
        }

        @Override
        public void ssubscribed(String ch, long count) {
          onSubscribed(count);
        }

        @Override
        public void unsubscribed(String ch, long count) {
          onUnsubscribed();
        }

        @Override
        public void sunsubscribed(String ch, long count) {
          onUnsubscribed(); // a cluster moving the channels' slot to another node
        }
      });
      subscription = sub;
      subscribeAll(sub);
      restored();
      connectFailureLogged = false;
      long every = HEARTBEAT_INTERVAL.toNanos();
      connector.scheduleWithFixedDelay(this::heartbeat, 0, every, TimeUnit.NANOSECONDS);
    } catch (RuntimeException e) {
      publisher = null;
      subscription = null;
      closeQuietly(sub);
      closeQuietly(pub);
      if (!connectFailureLogged) {
        connectFailureLogged = true; // once until it connects: it retries every 500 ms
        String why = String.valueOf(e.getMessage());
        LOG.log(System.Logger.Level.WARNING, sharded && why.toLowerCase(Locale.ROOT).contains("unknown command")
            ? "apicache invalidation bus needs Redis 7.0 or later on a cluster (sharded pub/sub); near copies stay off: "
                + why
            : "apicache invalidation bus cannot reach Redis yet; near copies stay off until it can: " + why);
      }
      if (!protocol.isClosed()) {
        connector.schedule(this::connect, 500, TimeUnit.MILLISECONDS);
      }
    }
  }

  private void onMessage(String ch, String message) {
    if (ch.equals(ackChannel)) {
      protocol.acknowledged(message);
      return;
    }
    if (!protocol.isConnected() && !sharded) {
      restored(); // the first message after a drop proves the subscription is back
    }
    if (ch.equals(heartbeatChannel)) {
      heartbeatBack(message);
      return;
    }
    protocol.received(message);
  }

  /**
   * Connected only once all three channels are subscribed: without its ack channel a confirmed
   * publish would wait out its limit, and without the main channel the node would miss invalidations.
   */
  private void onSubscribed(long count) {
    if (count >= 3) {
      restored();
    }
  }

  private void onUnsubscribed() {
    if (!protocol.isClosed()) {
      lost();
      resubscribeSoon();
    }
  }

  private void subscribeAll(StatefulRedisPubSubConnection<String, String> sub) {
    if (sharded) {
      sub.sync().ssubscribe(channel, ackChannel, heartbeatChannel);
    } else {
      sub.sync().subscribe(channel, ackChannel, heartbeatChannel);
    }
  }

  /**
   * Subscribes again, on the node that now owns the channels' slot, unless Lettuce's own
   * resubscription got there first; retried until it works or the bus closes.
   */
  private void resubscribeSoon() {
    if (protocol.isClosed() || !resubscribing.compareAndSet(false, true)) {
      return;
    }
    try {
      connector.schedule(this::resubscribe, 200, TimeUnit.MILLISECONDS);
    } catch (RejectedExecutionException e) {
      resubscribing.set(false); // closing
    }
  }

  private void resubscribe() {
    resubscribing.set(false);
    StatefulRedisPubSubConnection<String, String> sub = subscription;
    if (protocol.isClosed() || protocol.isConnected() || sub == null) {
      return;
    }
    try {
      if (client instanceof RedisClusterClient cluster) {
        // SSUBSCRIBE goes to the node Lettuce believes owns the slot, and a MOVED reply to it does
        // not correct that belief; an adaptive refresh may be held back for up to 30 s after the
        // last one. Learn the owner now, so that a moved slot is followed at once.
        cluster.refreshPartitions();
      }
      subscribeAll(sub);
    } catch (RuntimeException e) {
      resubscribeSoon();
    }
  }

  /**
   * A channel name whose derived names (acknowledgements, heartbeats) hash to the same slot: one
   * cluster node then delivers all of them, in the order it processed them.
   */
  static String inOneSlot(String channel) {
    int open = channel.indexOf('{');
    int close = open < 0 ? -1 : channel.indexOf('}', open + 1);
    boolean tagged = open >= 0 && close > open + 1;
    return tagged ? channel : "{" + channel + "}";
  }

  private static void closeQuietly(@Nullable StatefulRedisPubSubConnection<String, String> connection) {
    if (connection != null) {
      try {
        connection.close();
      } catch (RuntimeException ignored) {
        // a connection that never opened has nothing to release
      }
    }
  }

  /** The protocol's acknowledgement of a message to its publisher, on the publisher's own channel. */
  private void acknowledge(String publisherNode, String acknowledgement) {
    StatefulRedisPubSubConnection<String, String> p = publisher;
    if (p != null) {
      // asynchronously: this runs on Lettuce's event loop, which must not wait for a reply
      publishAsync(p, ackChannel(publisherNode), acknowledgement);
    }
  }

  private void heartbeat() {
    StatefulRedisPubSubConnection<String, String> p = publisher;
    if (p == null || protocol.isClosed()) {
      return;
    }
    long now = System.nanoTime();
    if (protocol.isConnected() && now - lastHeartbeatBack > STALLED.toNanos()) {
      // the subscription went quiet without a word from Lettuce (a node that vanished, a slot that
      // moved): whatever it missed is unknown, so start over as after a drop
      lost();
      resubscribeSoon();
    }
    long seq = heartbeats.incrementAndGet();
    protocol.probeSent(seq, now);
    try {
      publishAsync(p, heartbeatChannel, Long.toString(seq));
    } catch (RuntimeException e) {
      // not connected: the watchdog above notices the silence
    }
  }

  private void publishAsync(StatefulRedisPubSubConnection<String, String> p, String ch, String message) {
    if (sharded) {
      p.async().spublish(ch, message);
    } else {
      p.async().publish(ch, message);
    }
  }

  private long publishSync(StatefulRedisPubSubConnection<String, String> p, String ch, String message) {
    return sharded ? p.sync().spublish(ch, message) : p.sync().publish(ch, message);
  }

  private void heartbeatBack(String message) {
    long seq;
    try {
      seq = Long.parseLong(message);
    } catch (NumberFormatException e) {
      return;
    }
    if (protocol.deliveredThrough(seq)) {
      lastHeartbeatBack = System.nanoTime();
    }
  }

  private StatefulRedisPubSubConnection<String, String> pubSub() {
    return client instanceof RedisClusterClient cluster ? cluster.connectPubSub(StringCodec.UTF8)
        : ((RedisClient) client).connectPubSub(StringCodec.UTF8);
  }

  private void lost() {
    protocol.lost();
  }

  private void restored() {
    if (!protocol.isConnected()) {
      lastHeartbeatBack = System.nanoTime(); // before the listeners hear it, so the watchdog waits anew
    }
    protocol.restored();
  }

  @Override
  public void publish(Collection<String> partitions) {
    StatefulRedisPubSubConnection<String, String> p = publisher;
    if (p == null) {
      throw new StoreException("invalidation bus not connected to Redis");
    }
    try {
      publishSync(p, channel, InvalidationProtocol.plain(partitions));
    } catch (RedisException e) {
      throw new StoreException("could not publish an invalidation: " + e.getMessage(), e);
    }
  }

  /** True, on standalone Redis and on Redis Cluster; see the class comment. */
  @Override
  public boolean confirmsDelivery() {
    return true;
  }

  @Override
  public boolean publishConfirmed(Collection<String> partitions, Duration atMost) {
    StatefulRedisPubSubConnection<String, String> p = publisher;
    if (p == null) {
      throw new StoreException("invalidation bus not connected to Redis");
    }
    try (InvalidationProtocol.Publication publication = protocol.publication(partitions)) {
      long receivers = publishSync(p, channel, publication.text());
      return publication.awaitReceivers(receivers, atMost);
    } catch (RedisException e) {
      throw new StoreException("could not publish an invalidation: " + e.getMessage(), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  @Override
  public long deliveredBefore() {
    return protocol.deliveredBefore();
  }

  @Override
  public void subscribe(Listener listener) {
    protocol.subscribe(listener);
  }

  @Override
  public boolean isConnected() {
    return protocol.isConnected();
  }

  /**
   * Closes the bus and its client. Lettuce's shutdown waits for its I/O threads, which may be
   * delivering a connection event to this bus: the state lock is therefore never held here.
   */
  @Override
  public void close() {
    if (!protocol.close()) {
      return;
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
