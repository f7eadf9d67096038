package dev.apicache;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.lists;
import static org.quicktheories.generators.SourceDSL.strings;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.quicktheories.core.Gen;
import org.quicktheories.generators.Generate;

class CacheKeyPropertiesTest {
  /** Values biased towards the separators a naive encoding would confuse. */
  private static final Gen<String> VALUE = Generate.oneOf(
      strings().basicLatinAlphabet().ofLengthBetween(0, 6),
      Generate.pick(List.of("", ":", "=", "&", "a:b", "a", "b:c", "1:a", "+1:a", "-", "#1", "#0", "é", "日本", "\u0000",
          "a=b&c=d", "%3A")),
      strings().allPossible().ofLengthBetween(0, 4));

  /** A vary value list: absent (empty), one value or several. */
  private static final Gen<List<String>> VALUES = lists().of(VALUE).ofSizeBetween(0, 3);

  private static final Gen<List<List<String>>> PARTS = lists().of(VALUES).ofSizeBetween(2, 2);

  private static CacheKey key(String path, List<List<String>> parts) {
    CacheKey.Builder b = CacheKey.builder("/api/products", "GET", path);
    parts.forEach(b::values);
    return b.build();
  }

  @Test
  void differentVaryValues_neverShareAKey() {
    qt().withExamples(3000).forAll(VALUE, PARTS, VALUE, PARTS).checkAssert((pathA, a, pathB, b) -> {
      boolean same = pathA.equals(pathB) && a.equals(b);
      assertEquals(same, key(pathA, a).equals(key(pathB, b)), () -> a + " vs " + b);
    });
  }

  @Test
  void sameParts_alwaysGiveTheSameKey() {
    qt().forAll(VALUE, PARTS).checkAssert((path, parts) -> {
      assertEquals(key(path, parts), key(path, parts));
      assertEquals(key(path, parts).toString(), key(path, parts).toString());
    });
  }

  @Test
  void separatorsInsideValues_doNotCollide() {
    assertNotEquals(key("/p", List.of(List.of("a:b"), List.of("c"))), key("/p", List.of(List.of("a"), List.of("b:c"))));
    assertNotEquals(key("/p", List.of(List.of(), List.of("x"))), key("/p", List.of(List.of(""), List.of("x"))));
    assertNotEquals(key("/p", List.of(List.of("x", "y"), List.of())), key("/p", List.of(List.of("x"), List.of("y"))));
  }

  @Test
  void storeKey_isInThePolicysPartition_andItsPrintedFormNeverShowsTheParts() {
    qt().forAll(VALUE, PARTS).checkAssert((path, parts) -> {
      CacheKey k = key(path, parts);
      assertEquals("/api/products", k.storeKey().partition());
      assertTrue(k.toString().matches("CacheKey\\[/api/products [0-9a-f]{8}]"), k.toString());
      assertTrue(k.shortHash().matches("[0-9a-f]{8}"), k.shortHash());
    });
  }
}
