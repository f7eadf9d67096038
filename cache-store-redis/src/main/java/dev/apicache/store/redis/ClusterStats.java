package dev.apicache.store.redis;

import static java.util.Objects.requireNonNull;

import dev.apicache.CacheEngine;
import dev.apicache.CacheStats;
import dev.apicache.StoreException;
import io.lettuce.core.LettuceFutures;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisException;
import io.lettuce.core.RedisFuture;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.async.RedisAsyncCommands;
import io.lettuce.core.codec.StringCodec;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Cluster-wide analytics on Redis: each node writes its engine's counters at a fixed interval, one
 * pipelined write per interval and never per request, and any node can read the sum of all live
 * nodes.
 *
 * <p>A node writes its absolute counters (so a lost write is repaired by the next) into its own
 * hash, which expires after three intervals without a write: a node that stops counting drops out
 * of the sum by itself. All keys share one hash tag. Thread-safe; closing it removes the node.
 *
 * @since 0.1
 */
public final class ClusterStats implements AutoCloseable {
  private static final System.Logger LOG = System.getLogger("dev.apicache.store.redis");

  private final CacheEngine engine;
  private final RedisClient client;
  private final StatefulRedisConnection<String, String> connection;
  private final String nodesKey;
  private final String nodeKey;
  private final String nodeId;
  private final Duration interval;
  private final ScheduledExecutorService timer;
  private volatile boolean failing;
  private final AtomicBoolean closed = new AtomicBoolean();

  private ClusterStats(CacheEngine engine, String uri, String prefix, String nodeId, Duration interval) {
    this.engine = engine;
    this.client = RedisClient.create(uri);
    RedisLink.configure(client, Duration.ofSeconds(1));
    this.connection = client.connect(StringCodec.UTF8);
    this.nodeId = nodeId;
    this.nodesKey = prefix + "{stats}nodes";
    this.nodeKey = prefix + "{stats}node:" + nodeId;
    this.interval = interval;
    this.timer = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "apicache-cluster-stats");
      t.setDaemon(true);
      return t;
    });
    timer.scheduleAtFixedRate(this::flushQuietly, interval.toMillis(), interval.toMillis(), TimeUnit.MILLISECONDS);
  }

  /**
   * Starts writing {@code engine}'s counters to the Redis at {@code uri} every {@code interval}, as a
   * node with a random id, under the key prefix {@code apicache:}, a {@link RedisStore}'s default.
   * Give the store's own prefix when it has another: {@link #start(CacheEngine, String, String, Duration)}.
   */
  public static ClusterStats start(CacheEngine engine, String uri, Duration interval) {
    return start(engine, uri, "apicache:", interval);
  }

  /**
   * As {@link #start(CacheEngine, String, Duration)}, with its keys under {@code prefix} (the one the
   * {@link RedisStore} was built with, so that one prefix holds everything the service keeps in Redis).
   */
  public static ClusterStats start(CacheEngine engine, String uri, String prefix, Duration interval) {
    return start(engine, uri, prefix, UUID.randomUUID().toString(), interval);
  }

  /** As {@link #start(CacheEngine, String, Duration)} with an explicit key prefix and node id. */
  public static ClusterStats start(CacheEngine engine, String uri, String prefix, String nodeId, Duration interval) {
    requireNonNull(engine, "engine");
    requireNonNull(uri, "uri");
    requireNonNull(prefix, "prefix");
    requireNonNull(nodeId, "nodeId");
    if (interval.isNegative() || interval.isZero()) {
      throw new IllegalArgumentException("interval must be > 0 but was " + interval);
    }
    return new ClusterStats(engine, uri, prefix, nodeId, interval);
  }

  /** This node's id in the cluster sum. */
  public String nodeId() {
    return nodeId;
  }

  /** Writes this node's counters now: one pipelined round trip. */
  public void flush() {
    Map<String, String> fields = encode(engine.stats());
    RedisAsyncCommands<String, String> async = connection.async();
    connection.setAutoFlushCommands(false);
    try {
      List<RedisFuture<?>> replies = new ArrayList<>();
      replies.add(async.del(nodeKey));
      replies.add(async.hset(nodeKey, fields));
      replies.add(async.pexpire(nodeKey, interval.toMillis() * 3));
      replies.add(async.sadd(nodesKey, nodeId));
      connection.flushCommands();
      if (!LettuceFutures.awaitAll(Duration.ofSeconds(2), replies.toArray(new RedisFuture<?>[0]))) {
        throw new StoreException("cluster stats write timed out");
      }
    } catch (RedisException e) {
      throw new StoreException("cluster stats write failed: " + e.getMessage(), e);
    } finally {
      connection.setAutoFlushCommands(true);
    }
  }

  private void flushQuietly() {
    try {
      flush();
      if (failing) {
        failing = false;
        LOG.log(System.Logger.Level.INFO, "apicache cluster stats written again");
      }
    } catch (RuntimeException e) {
      if (!failing) {
        failing = true;
        LOG.log(System.Logger.Level.WARNING, "apicache cannot write cluster stats; retrying: " + e.getMessage());
      }
    }
  }

  /** The sum of the counters every live node wrote last. Nodes whose counters expired are forgotten. */
  public CacheStats clusterSnapshot() {
    try {
      Set<String> nodes = connection.sync().smembers(nodesKey);
      List<CacheStats> all = new ArrayList<>();
      for (String node : nodes) {
        Map<String, String> fields = connection.sync().hgetall(nodesKey.replace("nodes", "node:" + node));
        if (fields.isEmpty()) {
          connection.sync().srem(nodesKey, node);
        } else {
          all.add(decode(fields));
        }
      }
      return CacheStats.sum(all);
    } catch (RedisException e) {
      throw new StoreException("cannot read cluster stats: " + e.getMessage(), e);
    }
  }

  // Fields: "<scope>\t<name>", the scope "total" or "policy\t<id>" (a route never has a tab).

  static Map<String, String> encode(CacheStats stats) {
    Map<String, String> fields = new LinkedHashMap<>();
    put(fields, "total", stats.total());
    stats.byPolicy().forEach((id, c) -> put(fields, "policy\t" + id, c));
    return fields;
  }

  private static void put(Map<String, String> fields, String scope, CacheStats.Counts c) {
    long[] v = c.scalars();
    for (int i = 0; i < v.length; i++) {
      fields.put(scope + "\t" + CacheStats.Counts.SCALAR_NAMES.get(i), Long.toString(v[i]));
    }
    c.uncacheable().forEach((reason, n) -> fields.put(scope + "\tuncacheable:" + reason, Long.toString(n)));
    c.bypassReasons().forEach((reason, n) -> fields.put(scope + "\tbypass:" + reason, Long.toString(n)));
  }

  static CacheStats decode(Map<String, String> fields) {
    Map<String, Map<String, String>> byScope = new HashMap<>();
    fields.forEach((field, value) -> {
      int tab = field.lastIndexOf('\t');
      byScope.computeIfAbsent(field.substring(0, tab), k -> new HashMap<>()).put(field.substring(tab + 1), value);
    });
    CacheStats.Counts total = counts(byScope.getOrDefault("total", Map.of()));
    Map<String, CacheStats.Counts> policies = new HashMap<>();
    byScope.forEach((scope, values) -> {
      if (scope.startsWith("policy\t")) {
        policies.put(scope.substring("policy\t".length()), counts(values));
      }
    });
    return CacheStats.of(total, policies);
  }

  private static CacheStats.Counts counts(Map<String, String> values) {
    long[] v = new long[CacheStats.Counts.SCALAR_NAMES.size()];
    for (int i = 0; i < v.length; i++) {
      v[i] = Long.parseLong(values.getOrDefault(CacheStats.Counts.SCALAR_NAMES.get(i), "0"));
    }
    Map<String, Long> uncacheable = new HashMap<>();
    Map<String, Long> bypass = new HashMap<>();
    values.forEach((name, value) -> {
      if (name.startsWith("uncacheable:")) {
        uncacheable.put(name.substring("uncacheable:".length()), Long.parseLong(value));
      } else if (name.startsWith("bypass:")) {
        bypass.put(name.substring("bypass:".length()), Long.parseLong(value));
      }
    });
    return CacheStats.Counts.fromScalars(v, uncacheable, bypass);
  }

  /** Stops writing and removes this node from the sum. */
  @Override
  public void close() {
    if (!closed.compareAndSet(false, true)) {
      return;
    }
    timer.shutdownNow();
    try {
      connection.sync().del(nodeKey);
      connection.sync().srem(nodesKey, nodeId);
    } catch (RedisException e) {
      // the node's hash expires by itself
    }
    connection.close();
    client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
  }
}
