package dev.apicache.store.redis;

import com.dynatrace.hash4j.hashing.HashValue128;
import com.dynatrace.hash4j.hashing.Hasher128;
import com.dynatrace.hash4j.hashing.Hashing;
import java.util.function.UnaryOperator;

/**
 * Turns an entry's, counter's or lease's full name into a bounded Redis key part: 128 bits of XXH3,
 * seeded, as 22 URL-safe characters (no script separators). Not a digest: the store keeps each
 * entry's full key beside it and checks it on read, so a collision costs a miss, never another
 * key's answer. Thread-safe.
 */
final class NameHash {
  private static final String ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

  private final UnaryOperator<String> function;

  /** Any function of names: tests force collisions with one. */
  NameHash(UnaryOperator<String> function) {
    this.function = function;
  }

  /** Seeded XXH3-128 (hash4j): every node that shares entries must use the same seed. */
  static NameHash xxh3(long seed) {
    Hasher128 hasher = Hashing.xxh3_128(seed);
    return new NameHash(name -> encode(hasher.hashCharsTo128Bits(name)));
  }

  /** The seed a store uses unless given one: derived from its key prefix, so one deployment agrees. */
  static long seedOf(String keyPrefix) {
    return Hashing.xxh3_64().hashCharsToLong("apicache-key-seed:" + keyPrefix);
  }

  /** The bounded form of {@code name}. */
  String of(String name) {
    return function.apply(name);
  }

  private static String encode(HashValue128 h) {
    char[] out = new char[22];
    long hi = h.getMostSignificantBits();
    long lo = h.getLeastSignificantBits();
    for (int i = 0; i < 11; i++) {
      out[i] = ALPHABET.charAt((int) (hi >>> (i * 6)) & 63);
      out[11 + i] = ALPHABET.charAt((int) (lo >>> (i * 6)) & 63);
    }
    return new String(out);
  }
}
