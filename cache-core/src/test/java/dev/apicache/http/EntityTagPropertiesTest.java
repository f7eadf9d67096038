package dev.apicache.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.booleans;
import static org.quicktheories.generators.SourceDSL.lists;
import static org.quicktheories.generators.SourceDSL.strings;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.quicktheories.core.Gen;
import org.quicktheories.generators.Generate;

class EntityTagPropertiesTest {
  /** Opaque values: etagc is %x21 / %x23-7E (so commas and spaces inside quotes are allowed). */
  private static final Gen<String> OPAQUE = Generate.oneOf(
      strings().betweenCodePoints(0x23, 0x7E).ofLengthBetween(0, 8),
      Generate.pick(List.of("", "a,b", "!", "W/", "x y".replace(' ', '!'), "*")));

  private static final Gen<EntityTag> TAG = OPAQUE.zip(booleans().all(),
      (o, weak) -> weak ? EntityTag.weak(o) : EntityTag.strong(o));

  @Test
  void wireForm_roundTrips() {
    qt().forAll(TAG).checkAssert(tag -> assertEquals(tag, EntityTag.parse(tag.toString())));
  }

  @Test
  void ifNoneMatchList_matchesExactlyWhenSomeTagWeaklyMatches() {
    qt().withExamples(3000).forAll(lists().of(TAG).ofSizeBetween(1, 5), TAG, booleans().all())
        .checkAssert((tags, current, splitLines) -> {
          List<String> fieldValues = new ArrayList<>();
          if (splitLines) {
            tags.forEach(t -> fieldValues.add(t.toString()));
          } else {
            fieldValues.add(String.join(" ,  ", tags.stream().map(EntityTag::toString).toList()));
          }
          boolean expected = tags.stream().anyMatch(t -> t.opaque().equals(current.opaque()));
          Optional<EntityTag.IfNoneMatch> parsed = EntityTag.parseIfNoneMatch(fieldValues);
          assertTrue(parsed.isPresent(), fieldValues::toString);
          assertEquals(expected, parsed.get().matches(current), fieldValues::toString);
        });
  }

  @Test
  void star_matchesAnyTag() {
    qt().forAll(TAG).checkAssert(t -> assertTrue(EntityTag.parseIfNoneMatch(List.of("*")).orElseThrow().matches(t)));
  }

  @Test
  void junk_isRejectedNotMisread() {
    Gen<String> junk = Generate.oneOf(
        strings().allPossible().ofLengthBetween(1, 12),
        Generate.pick(List.of("abc", "\"unterminated", "W/abc", "\"a\" \"b\"", "*, \"a\"", "\"a\"junk", "w/\"a\"",
            "\"a\u0001\"", "\"a\"\"b\"")));
    qt().withExamples(3000).forAll(junk).checkAssert(text -> {
      // whatever parses must survive a round trip through its wire form unchanged: nothing guessed
      EntityTag.parseIfNoneMatch(List.of(text)).filter(m -> !m.any()).ifPresent(m -> {
        String wire = String.join(", ", m.tags().stream().map(EntityTag::toString).toList());
        assertEquals(m, EntityTag.parseIfNoneMatch(List.of(wire)).orElseThrow(), text);
      });
    });
    for (String bad : List.of("abc", "\"unterminated", "W/abc", "\"a\" \"b\"", "*, \"a\"", "\"a\"junk", "w/\"a\"")) {
      assertFalse(EntityTag.parseIfNoneMatch(List.of(bad)).isPresent(), bad);
    }
  }

  @Test
  void strongAndWeakComparison_followRfc9110() {
    EntityTag strong = EntityTag.strong("1");
    EntityTag weak = EntityTag.weak("1");
    assertTrue(strong.strongMatches(EntityTag.strong("1")));
    assertFalse(strong.strongMatches(weak));
    assertFalse(weak.strongMatches(weak));
    assertTrue(weak.weakMatches(strong));
    assertFalse(strong.weakMatches(EntityTag.strong("2")));
  }
}
