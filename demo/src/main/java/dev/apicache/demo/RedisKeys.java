package dev.apicache.demo;

import io.lettuce.core.KeyScanCursor;
import io.lettuce.core.ScanArgs;
import io.lettuce.core.api.sync.RedisCommands;

/** Cleans up after the comparisons that write to a shared Redis. */
public final class RedisKeys {
  private RedisKeys() {}

  /**
   * Unlinks every key matching {@code pattern}, by {@code SCAN} in batches: never {@code KEYS},
   * which would block the Redis for its other clients.
   */
  public static void deleteMatching(RedisCommands<String, String> redis, String pattern) {
    ScanArgs args = ScanArgs.Builder.matches(pattern).limit(1000);
    KeyScanCursor<String> cursor = redis.scan(args);
    while (true) {
      if (!cursor.getKeys().isEmpty()) {
        redis.unlink(cursor.getKeys().toArray(String[]::new));
      }
      if (cursor.isFinished()) {
        return;
      }
      cursor = redis.scan(cursor, args);
    }
  }
}
