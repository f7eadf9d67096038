package dev.apicache.store.redis;

import dev.apicache.StoreException;
import io.lettuce.core.RedisNoScriptException;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.cluster.api.sync.RedisClusterCommands;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * The store's Lua scripts. Each runs atomically on the node that holds its partition; every key a
 * script touches shares the partition's hash tag, so they work on Redis Cluster as on a single node.
 *
 * <p>A fence is stored as {@code counter=value;} pairs, where each counter is the hashed suffix of
 * its key; a counter key that does not exist reads as 0.
 */
final class Scripts {
  /**
   * KEYS[1] entry; ARGV[1] counter key prefix, ARGV[2] the entry's full key. Returns the blob while
   * it is that key's (not another's whose name hashed alike) and its fence holds, else nil.
   */
  static final Scripts GET = new Scripts(String.join("\n",
      "local v = redis.call('HMGET', KEYS[1], 'b', 'f', 'k')",
      "if not v[1] or v[3] ~= ARGV[2] then return false end",
      "for name, val in string.gmatch(v[2] or '', '([^=;]+)=(%d+);') do",
      "  if (redis.call('GET', ARGV[1] .. name) or '0') ~= val then return false end",
      "end",
      "return v[1]"));

  /**
   * KEYS[1] entry, KEYS[2..] watched counters; ARGV[1] counter key prefix, ARGV[2] the entry's full
   * key. As {@link #GET}, then each watched counter's value after the blob.
   */
  static final Scripts GET_WATCHING = new Scripts(String.join("\n",
      "local v = redis.call('HMGET', KEYS[1], 'b', 'f', 'k')",
      "if not v[1] or v[3] ~= ARGV[2] then return false end",
      "for name, val in string.gmatch(v[2] or '', '([^=;]+)=(%d+);') do",
      "  if (redis.call('GET', ARGV[1] .. name) or '0') ~= val then return false end",
      "end",
      "local out = {v[1]}",
      "for i = 2, #KEYS do out[i] = redis.call('GET', KEYS[i]) or '0' end",
      "return out"));

  /**
   * KEYS[1] entry, KEYS[2] the partition's longest lifetime; ARGV counter prefix, ttl millis, fence,
   * blob, margin millis, the entry's full key. Stores only while the fence holds; returns 1 when stored. The longest
   * lifetime outlives every entry of the partition, so a later bump can keep its counters that long.
   */
  static final Scripts PUT = new Scripts(String.join("\n",
      "for name, val in string.gmatch(ARGV[3], '([^=;]+)=(%d+);') do",
      "  if (redis.call('GET', ARGV[1] .. name) or '0') ~= val then return 0 end",
      "end",
      "redis.call('DEL', KEYS[1])",
      "redis.call('HSET', KEYS[1], 'b', ARGV[4], 'f', ARGV[3], 'k', ARGV[6])",
      "redis.call('PEXPIRE', KEYS[1], ARGV[2])",
      "local longest = math.max(tonumber(ARGV[2]), tonumber(redis.call('GET', KEYS[2]) or '0'))",
      "redis.call('SET', KEYS[2], longest, 'PX', longest + tonumber(ARGV[5]))",
      "return 1"));

  /**
   * KEYS[1] the partition's longest lifetime, KEYS[2..] counters; ARGV[1] margin millis. Moves each
   * counter and keeps it as long as any entry fenced on its old value can live, plus the margin.
   */
  static final Scripts BUMP = new Scripts(String.join("\n",
      "local keep = tonumber(redis.call('GET', KEYS[1]) or '0') + tonumber(ARGV[1])",
      "for i = 2, #KEYS do",
      "  redis.call('INCR', KEYS[i])",
      "  redis.call('PEXPIRE', KEYS[i], keep)",
      "end",
      "return #KEYS - 1"));

  /** KEYS[1] lease; ARGV[1] holder. Deletes the lease only if this holder has it. */
  static final Scripts RELEASE = new Scripts(String.join("\n",
      "if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end",
      "return 0"));

  private final String source;
  private final String sha;

  private Scripts(String source) {
    this.source = source;
    try {
      this.sha = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-1")
          .digest(source.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new ExceptionInInitializerError(e);
    }
  }

  /** Runs the script by digest, loading it on the node that lacks it (one extra trip, once per node). */
  <T> T run(RedisClusterCommands<byte[], byte[]> commands, ScriptOutputType type, byte[][] keys, byte[]... args) {
    try {
      return commands.evalsha(sha, type, keys, args);
    } catch (RedisNoScriptException notLoaded) {
      return commands.eval(source.getBytes(StandardCharsets.UTF_8), type, keys, args);
    }
  }

  static StoreException unexpected(Object reply) {
    return new StoreException("unexpected reply from Redis script: " + reply);
  }
}
