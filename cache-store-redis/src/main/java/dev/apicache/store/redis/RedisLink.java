package dev.apicache.store.redis;

import dev.apicache.StoreException;
import io.lettuce.core.AbstractRedisClient;
import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisClient;
import io.lettuce.core.SocketOptions;
import io.lettuce.core.SslOptions;
import io.lettuce.core.TimeoutOptions;
import io.lettuce.core.api.StatefulConnection;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.cluster.ClusterClientOptions;
import io.lettuce.core.cluster.ClusterTopologyRefreshOptions;
import io.lettuce.core.cluster.RedisClusterClient;
import io.lettuce.core.cluster.api.StatefulRedisClusterConnection;
import io.lettuce.core.cluster.api.sync.RedisClusterCommands;
import io.lettuce.core.codec.ByteArrayCodec;
import java.lang.System.Logger.Level;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;

/**
 * One connection to Redis, standalone or Cluster, opened in the background and reopened by Lettuce
 * after a drop. Until it is open, {@link #commands()} fails at once instead of making a request
 * wait: Redis being down at start costs the cache, never the request.
 */
final class RedisLink implements AutoCloseable {
  private static final System.Logger LOG = System.getLogger("dev.apicache.store.redis");

  private final AbstractRedisClient client;
  private final boolean ownsClient;
  private final Duration commandTimeout;
  private final ScheduledExecutorService connector;
  private volatile @Nullable StatefulConnection<byte[], byte[]> connection;
  private volatile @Nullable RedisClusterCommands<byte[], byte[]> commands;
  private volatile boolean closed;
  private long backoffMillis = 50;

  RedisLink(AbstractRedisClient client, boolean ownsClient, Duration commandTimeout, @Nullable SslOptions ssl) {
    this.client = client;
    this.ownsClient = ownsClient;
    this.commandTimeout = commandTimeout;
    if (ownsClient) {
      configure(client, commandTimeout, ssl);
    }
    this.connector = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "apicache-redis-connect");
      t.setDaemon(true);
      return t;
    });
    connector.execute(this::connect);
  }

  /** Fails fast when disconnected, bounds every command and the connect attempts. */
  static void configure(AbstractRedisClient client, Duration commandTimeout) {
    configure(client, commandTimeout, null);
  }

  /** As {@link #configure(AbstractRedisClient, Duration)}, with {@code ssl} for {@code rediss://} URIs when given. */
  static void configure(AbstractRedisClient client, Duration commandTimeout, @Nullable SslOptions ssl) {
    SocketOptions socket = SocketOptions.builder().connectTimeout(Duration.ofSeconds(1)).keepAlive(true).build();
    TimeoutOptions timeouts = TimeoutOptions.builder().fixedTimeout(commandTimeout).build();
    if (client instanceof RedisClusterClient cluster) {
      // node connections open on first use, so commands must wait for them (bounded by the timeout)
      // a failover or a moved slot is learnt from the MOVED replies and reconnects it causes
      ClusterTopologyRefreshOptions refresh = ClusterTopologyRefreshOptions.builder()
          .enableAllAdaptiveRefreshTriggers().build();
      ClusterClientOptions.Builder options = ClusterClientOptions.builder();
      if (ssl != null) {
        options.sslOptions(ssl);
      }
      cluster.setOptions(options
          .topologyRefreshOptions(refresh)
          .socketOptions(socket).timeoutOptions(timeouts)
          .disconnectedBehavior(ClientOptions.DisconnectedBehavior.ACCEPT_COMMANDS)
          .requestQueueSize(10_000)
          .build());
    } else if (client instanceof RedisClient standalone) {
      ClientOptions.Builder options = ClientOptions.builder();
      if (ssl != null) {
        options.sslOptions(ssl);
      }
      standalone.setOptions(options
          .socketOptions(socket).timeoutOptions(timeouts)
          .disconnectedBehavior(ClientOptions.DisconnectedBehavior.REJECT_COMMANDS)
          .requestQueueSize(10_000)
          .build());
    }
  }

  private void connect() {
    if (closed) {
      return;
    }
    try {
      StatefulConnection<byte[], byte[]> c;
      RedisClusterCommands<byte[], byte[]> sync;
      if (client instanceof RedisClusterClient cluster) {
        StatefulRedisClusterConnection<byte[], byte[]> cc = cluster.connect(ByteArrayCodec.INSTANCE);
        c = cc;
        sync = cc.sync();
      } else {
        StatefulRedisConnection<byte[], byte[]> sc = ((RedisClient) client).connect(ByteArrayCodec.INSTANCE);
        c = sc;
        sync = sc.sync();
      }
      c.setTimeout(commandTimeout);
      connection = c;
      commands = sync;
      LOG.log(Level.INFO, "apicache connected to Redis");
    } catch (RuntimeException e) {
      if (backoffMillis == 50) {
        LOG.log(Level.WARNING, "apicache cannot reach Redis yet; serving from the origin and retrying: " + e.getMessage());
      }
      backoffMillis = Math.min(2_000, backoffMillis * 2);
      if (!closed) {
        connector.schedule(this::connect, backoffMillis, TimeUnit.MILLISECONDS);
      }
    }
  }

  /** The synchronous commands; throws {@link StoreException} while no connection is open. */
  RedisClusterCommands<byte[], byte[]> commands() {
    RedisClusterCommands<byte[], byte[]> c = commands;
    if (c == null) {
      throw new StoreException(closed ? "Redis store is closed" : "not connected to Redis yet");
    }
    return c;
  }

  boolean isConnected() {
    StatefulConnection<byte[], byte[]> c = connection;
    return c != null && c.isOpen();
  }

  AbstractRedisClient client() {
    return client;
  }

  @Override
  public void close() {
    synchronized (this) {
      if (closed) {
        return;
      }
      closed = true;
    }
    connector.shutdownNow();
    StatefulConnection<byte[], byte[]> c = connection;
    commands = null;
    if (c != null) {
      c.close();
    }
    if (ownsClient) {
      client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
    }
  }
}
