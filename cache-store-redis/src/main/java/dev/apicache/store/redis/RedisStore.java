package dev.apicache.store.redis;

import static java.util.Objects.requireNonNull;

import dev.apicache.StoreException;
import dev.apicache.StoreTimeoutException;
import dev.apicache.spi.Counter;
import dev.apicache.spi.EntryKey;
import dev.apicache.spi.Fence;
import dev.apicache.spi.Leases;
import dev.apicache.spi.Store;
import dev.apicache.spi.Watched;
import io.lettuce.core.AbstractRedisClient;
import io.lettuce.core.KeyValue;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisCommandTimeoutException;
import io.lettuce.core.RedisException;
import io.lettuce.core.RedisURI;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.SetArgs;
import io.lettuce.core.SslOptions;
import io.lettuce.core.cluster.RedisClusterClient;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;

/**
 * A {@link Store} on Redis through Lettuce, standalone or Redis Cluster, shared by every node of a
 * service.
 *
 * <p>Guarantees:
 * <ul>
 *   <li>A hit costs exactly one command round trip: one {@code EVALSHA} reads the entry and checks
 *       its fence against the current counters on the server, atomically.</li>
 *   <li>Invalidation is O(1): an event or a tag moves one counter ({@code INCR}); entries fenced on
 *       the old value are unreachable at once from every node, whatever their number. No
 *       {@code KEYS}, no scans, no per-tag member sets.</li>
 *   <li>A fill whose fence moved (an invalidation raced it) is refused by the same script that
 *       would store it.</li>
 *   <li>Entries live {@code ttl + max(staleWhileRevalidate, staleIfError)} in Redis; counters live as
 *       long as an entry fenced on their previous value could.</li>
 *   <li>Every command is bounded by the command timeout (default 100 ms); while Redis is unreachable
 *       calls fail at once and the connection is retried in the background.</li>
 * </ul>
 *
 * <p>Keys: {@code <prefix>{<tag>}<policy>:e:<hash>} for entries and
 * {@code <prefix>{<tag>}<policy>:c:<hash>} for counters, where {@code <tag>} is 8 hex digits of the
 * policy's partition. The hash tag puts a policy's entries and counters in one Cluster slot, which
 * is what lets one script check a fence; the trade-off is that one policy's traffic lands on one
 * master. Keys have a bounded length whatever the URL: each {@code <hash>} is 128 bits of seeded
 * XXH3 of the full name ({@link Builder#hashSeed}), and an entry keeps its full key beside its bytes,
 * checked by the read script, so a collision is a miss and never another key's answer. Thread-safe.
 *
 * @since 0.1
 */
public final class RedisStore implements Store {
  private static final long COUNTER_MARGIN_MILLIS = 60_000;

  private final RedisLink link;
  private final String prefix;
  private final Map<String, String> partitionPrefixes = new ConcurrentHashMap<>();
  private final LongAdder commandsSent = new LongAdder();
  private final NameHash names;

  private RedisStore(RedisLink link, String prefix, NameHash names) {
    this.link = link;
    this.prefix = prefix;
    this.names = names;
  }

  /** A store on the standalone Redis at {@code uri} (such as {@code redis://127.0.0.1:6379}); it owns its client. */
  public static Builder builder(String uri) {
    requireNonNull(uri, "uri");
    return new Builder(() -> RedisClient.create(uri), true);
  }

  /** A store on the Redis Cluster reachable through {@code seedUris}; it owns its client. */
  public static Builder cluster(List<String> seedUris) {
    requireNonNull(seedUris, "seedUris");
    if (seedUris.isEmpty()) {
      throw new IllegalArgumentException("seedUris must name at least one cluster node");
    }
    List<RedisURI> uris = new ArrayList<>();
    for (String u : seedUris) {
      uris.add(RedisURI.create(u));
    }
    return new Builder(() -> RedisClusterClient.create(uris), true);
  }

  /**
   * A store over a client the application owns and configures (standalone {@code RedisClient} or
   * {@code RedisClusterClient}); closing the store leaves the client open.
   */
  public static Builder using(AbstractRedisClient client) {
    requireNonNull(client, "client");
    return new Builder(() -> client, false);
  }

  @Override
  public Optional<byte[]> get(EntryKey key) {
    String p = partitionPrefix(key.partition());
    byte[] blob = call(() -> Scripts.GET.run(link.commands(), ScriptOutputType.VALUE,
        new byte[][] {bytes(entryKey(p, key))}, bytes(p + "c:"), fullKey(key.id())));
    return Optional.ofNullable(blob);
  }

  /** The entry and its watched counters in one script, so one round trip as for {@link #get(EntryKey)}. */
  @Override
  public Optional<Watched> getWatching(EntryKey key, List<Counter> fenceCounters, List<Counter> watched) {
    String p = partitionPrefix(key.partition());
    byte[][] keys = new byte[watched.size() + 1][];
    keys[0] = bytes(entryKey(p, key));
    for (int i = 0; i < watched.size(); i++) {
      Counter c = watched.get(i);
      if (!c.partition().equals(key.partition())) {
        throw new IllegalArgumentException("counter " + c + " is not in the partition of " + key);
      }
      keys[i + 1] = bytes(counterKey(c));
    }
    List<Object> reply = call(() -> Scripts.GET_WATCHING.run(link.commands(), ScriptOutputType.MULTI, keys,
        bytes(p + "c:"), fullKey(key.id())));
    if (reply == null || reply.isEmpty() || reply.get(0) == null) {
      return Optional.empty();
    }
    if (reply.size() != keys.length || !(reply.get(0) instanceof byte[] blob)) {
      throw Scripts.unexpected(reply);
    }
    long[] values = new long[watched.size()];
    for (int i = 0; i < values.length; i++) {
      values[i] = counterValue(reply.get(i + 1));
    }
    return Optional.of(new Watched(blob, Fence.of(watched, values)));
  }

  private static long counterValue(Object reply) {
    if (!(reply instanceof byte[] b)) {
      throw Scripts.unexpected(reply);
    }
    try {
      return Long.parseLong(new String(b, StandardCharsets.US_ASCII));
    } catch (NumberFormatException e) {
      throw Scripts.unexpected(new String(b, StandardCharsets.US_ASCII));
    }
  }

  @Override
  public Fence fence(List<Counter> counters) {
    if (counters.isEmpty()) {
      return Fence.none();
    }
    byte[][] keys = new byte[counters.size()][];
    for (int i = 0; i < keys.length; i++) {
      keys[i] = bytes(counterKey(counters.get(i)));
    }
    List<KeyValue<byte[], byte[]>> values = call(() -> link.commands().mget(keys));
    long[] current = new long[keys.length];
    for (int i = 0; i < keys.length; i++) {
      KeyValue<byte[], byte[]> kv = values.get(i);
      current[i] = kv.hasValue() ? counterValue(kv.getValue()) : 0L;
    }
    return Fence.of(counters, current);
  }

  @Override
  public boolean put(EntryKey key, byte[] entry, Duration timeToLive, Fence fence) {
    long ttl = timeToLive.toMillis();
    if (ttl <= 0) {
      return false;
    }
    String p = partitionPrefix(key.partition());
    for (Counter counter : fence.counters()) {
      if (!counter.partition().equals(key.partition())) {
        throw new IllegalArgumentException("counter " + counter + " is not in the partition of " + key);
      }
    }
    String encodedFence = fence.encode(this::counterHash);
    Long stored = call(() -> Scripts.PUT.run(link.commands(), ScriptOutputType.INTEGER,
        new byte[][] {bytes(entryKey(p, key)), bytes(p + "maxttl")},
        bytes(p + "c:"), bytes(Long.toString(ttl)), bytes(encodedFence), entry,
        bytes(Long.toString(COUNTER_MARGIN_MILLIS)), fullKey(key.id())));
    return stored != null && stored == 1L;
  }

  @Override
  public void bump(Collection<Counter> counters) {
    Map<String, List<byte[]>> byPartition = new LinkedHashMap<>();
    for (Counter c : counters) {
      byPartition.computeIfAbsent(partitionPrefix(c.partition()), k -> new ArrayList<>()).add(bytes(counterKey(c)));
    }
    for (Map.Entry<String, List<byte[]>> e : byPartition.entrySet()) {
      byte[][] keys = new byte[e.getValue().size() + 1][];
      keys[0] = bytes(e.getKey() + "maxttl");
      for (int i = 0; i < e.getValue().size(); i++) {
        keys[i + 1] = e.getValue().get(i);
      }
      call(() -> Scripts.BUMP.run(link.commands(), ScriptOutputType.INTEGER, keys,
          bytes(Long.toString(COUNTER_MARGIN_MILLIS))));
    }
  }

  /** Lettuce's command timeout bounds every call. */
  @Override
  public boolean callsAreBounded() {
    return true;
  }

  /**
   * Leases on Redis: {@code SET NX PX} with a token per holder, released only by the holder (a
   * compare-and-delete script), awaited by polling every few milliseconds (never the 500 ms of a
   * classic cache lock), each poll one bounded command.
   */
  @Override
  public Optional<Leases> leases() {
    return Optional.of(leases);
  }

  private final Leases leases = new Leases() {
    private final String holder = UUID.randomUUID().toString();

    @Override
    public boolean tryAcquire(EntryKey name, Duration ttl) {
      String reply = call(() -> link.commands().set(bytes(leaseKey(name)), bytes(holder),
          SetArgs.Builder.nx().px(Math.max(1, ttl.toMillis()))));
      return "OK".equals(reply);
    }

    @Override
    public void release(EntryKey name) {
      call(() -> Scripts.RELEASE.run(link.commands(), ScriptOutputType.INTEGER,
          new byte[][] {bytes(leaseKey(name))}, bytes(holder)));
    }

    @Override
    public boolean awaitRelease(EntryKey name, Duration timeout) {
      byte[] key = bytes(leaseKey(name));
      return Leases.pollUntilReleased(() -> call(() -> link.commands().exists(key)) > 0, timeout);
    }
  };

  /** The lease of an entry, in its partition (the name hashed as earlier versions did, so keys stay put). */
  private String leaseKey(EntryKey key) {
    return partitionPrefix(key.partition()) + "l:" + names.of(key.flat() + ":lease");
  }

  /** Commands (round trips) this store has sent to Redis, failed ones included. */
  public long commandsSent() {
    return commandsSent.sum();
  }

  /** True while a connection to Redis is open. */
  public boolean isConnected() {
    return link.isConnected();
  }

  @Override
  public void close() {
    link.close();
  }

  // ---------------------------------------------------------------------------------------------

  private <T> T call(Supplier<T> command) {
    commandsSent.increment();
    try {
      return command.get();
    } catch (RedisCommandTimeoutException e) {
      throw new StoreTimeoutException("Redis command timed out: " + e.getMessage());
    } catch (RedisException e) {
      throw new StoreException("Redis command failed: " + e.getMessage(), e);
    } catch (IllegalStateException | NumberFormatException e) {
      throw new StoreException("Redis reply not understood: " + e.getMessage(), e);
    }
  }

  /** The key text up to the partition's end: {@code <prefix>{<tag>}<partition>:}. */
  private String partitionPrefix(String partition) {
    return partitionPrefixes.computeIfAbsent(partition, p -> {
      String tag = HexFormat.of().formatHex(sha256(partition), 0, 4);
      return prefix + "{" + tag + "}" + partition.replace('{', '(').replace('}', ')') + ":";
    });
  }

  private String counterKey(Counter counter) {
    return partitionPrefix(counter.partition()) + "c:" + counterHash(counter);
  }

  /** The counter's bounded name: fixed length, no script separators. */
  private String counterHash(Counter counter) {
    return names.of(counter.flat());
  }

  /** The entry's bounded name; its full key is stored with it. */
  private String entryKey(String partitionPrefix, EntryKey key) {
    return partitionPrefix + "e:" + names.of(key.id());
  }

  private static byte[] sha256(String text) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  /**
   * The entry's full key as stored beside it, exactly: ASCII as it is; anything else as a marker
   * byte then two bytes per char, so that strings UTF-8 could not tell apart (unpaired surrogates)
   * stay apart.
   */
  static byte[] fullKey(String id) {
    boolean ascii = true;
    for (int i = 0; i < id.length() && ascii; i++) {
      ascii = id.charAt(i) < 0x80;
    }
    if (ascii) {
      return id.getBytes(StandardCharsets.US_ASCII);
    }
    byte[] out = new byte[1 + 2 * id.length()];
    out[0] = (byte) 0xFF; // never the first byte of an ASCII key
    for (int i = 0; i < id.length(); i++) {
      out[1 + 2 * i] = (byte) (id.charAt(i) >>> 8);
      out[2 + 2 * i] = (byte) id.charAt(i);
    }
    return out;
  }

  private static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  /** Builds a {@link RedisStore}. */
  public static final class Builder {
    private final Supplier<AbstractRedisClient> client;
    private final boolean ownsClient;
    private String keyPrefix = "apicache:";
    private Duration commandTimeout = Duration.ofMillis(100);
    private @Nullable Long hashSeed;
    private @Nullable NameHash names;
    private @Nullable SslOptions ssl;

    private Builder(Supplier<AbstractRedisClient> client, boolean ownsClient) {
      this.client = client;
      this.ownsClient = ownsClient;
    }

    /** The text every key starts with; default {@code apicache:}. */
    public Builder keyPrefix(String prefix) {
      requireNonNull(prefix, "prefix");
      if (prefix.indexOf('{') >= 0 || prefix.indexOf('}') >= 0) {
        throw new IllegalArgumentException("keyPrefix must not contain '{' or '}' (they pick the Cluster slot)"
            + " but was '" + prefix + "'");
      }
      keyPrefix = prefix;
      return this;
    }

    /** The longest a command may take before the engine serves from the origin; default 100 ms. */
    public Builder commandTimeout(Duration timeout) {
      requireNonNull(timeout, "timeout");
      if (timeout.isZero() || timeout.isNegative()) {
        throw new IllegalArgumentException("commandTimeout must be > 0 but was " + timeout);
      }
      commandTimeout = timeout;
      return this;
    }

    /**
     * The seed of the hash that bounds key names; by default one derived from the key prefix. Every
     * node sharing entries must agree on it; a secret one keeps outsiders from choosing URLs whose
     * names collide (which would cost only misses: each entry's full key is checked on read).
     */
    public Builder hashSeed(long seed) {
      hashSeed = seed;
      return this;
    }

    /**
     * The TLS settings (trusted certificates, a client key) for {@code rediss://} URIs, such as those
     * of an application's SSL bundle; by default the JDK's. Ignored by {@link #using}, whose client is
     * configured by its owner.
     */
    public Builder sslOptions(SslOptions options) {
      ssl = requireNonNull(options, "options");
      return this;
    }

    /** Names hashed by {@code function} instead: tests force collisions with it. */
    Builder names(NameHash function) {
      names = requireNonNull(function, "function");
      return this;
    }

    /** Creates the store; it connects in the background and serves as soon as Redis answers. */
    public RedisStore build() {
      NameHash hash = names != null ? names
          : NameHash.xxh3(hashSeed != null ? hashSeed : NameHash.seedOf(keyPrefix));
      return new RedisStore(new RedisLink(client.get(), ownsClient, commandTimeout, ssl), keyPrefix, hash);
    }
  }
}
