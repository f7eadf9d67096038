package dev.apicache.spi;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.quicktheories.QuickTheory;
import org.quicktheories.generators.SourceDSL;

/** The one fence encoding every store writes: any counter name survives it, and a script can parse it. */
class FenceTest {
  /** What the Redis store's scripts match, as a Java regex. */
  private static final Pattern SCRIPT_PAIR = Pattern.compile("([^=;]+)=(\\d+);");

  @Test
  void anyNamesAndValues_roundTrip_andParseAsTheScriptsParse() {
    QuickTheory.qt().forAll(
        SourceDSL.lists().of(SourceDSL.strings().ascii().ofLengthBetween(1, 10)).ofSizeBetween(1, 6),
        SourceDSL.longs().between(0, Long.MAX_VALUE))
        .checkAssert((ids, base) -> {
          List<Counter> counters = new ArrayList<>();
          long[] values = new long[ids.size()];
          Map<String, Long> expected = new LinkedHashMap<>();
          for (int i = 0; i < ids.size(); i++) {
            Counter c = new Counter("p", ids.get(i) + "#" + i);
            counters.add(c);
            values[i] = (base + i) & Long.MAX_VALUE;
            expected.put(c.flat(), values[i]);
          }
          String text = Fence.of(counters, values).encode(Counter::flat);
          assertEquals(expected, Fence.decode(text), text);
          Matcher m = SCRIPT_PAIR.matcher(text);
          int pairs = 0;
          int end = 0;
          while (m.find() && m.start() == end) {
            pairs++;
            end = m.end();
          }
          assertEquals(ids.size(), pairs, text);
          assertEquals(text.length(), end, text);
        });
  }

  @Test
  void namesWithTheSeparators_areEscaped_andTheEmptyFenceIsEmptyText() {
    Fence f = Fence.of(List.of(new Counter("p", "a=b;c%d")), new long[] {7});
    String text = f.encode(Counter::id);
    assertEquals("a%3Db%3Bc%25d=7;", text);
    assertEquals(Map.of("a=b;c%d", 7L), Fence.decode(text));
    assertEquals("", Fence.none().encode(Counter::id));
    assertTrue(Fence.decode("").isEmpty());
    assertThrows(IllegalArgumentException.class, () -> Fence.decode("a=1"));
    assertThrows(IllegalArgumentException.class, () -> Fence.decode("a=x;"));
  }
}
