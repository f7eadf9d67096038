package dev.apicache.spi;

import static java.util.Objects.requireNonNull;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.function.ToLongFunction;

/**
 * A snapshot of named generation counters, taken before an origin call: the entry filled from that
 * call is valid only while every counter still has the value recorded here.
 *
 * <p>This is how invalidation stays O(1) and race-safe: invalidating an event or a
 * tag bumps one counter; entries fenced on its old value become unreachable at once, and a fill that
 * started before the bump can never be served afterwards. Immutable; counters keep their order.
 *
 * @since 0.1
 */
public final class Fence {
  private static final Fence NONE = new Fence(List.of(), new long[0]);

  private final List<Counter> counters;
  private final long[] values;

  private Fence(List<Counter> counters, long[] values) {
    this.counters = counters;
    this.values = values;
  }

  /** A fence over no counters: always holds. */
  public static Fence none() {
    return NONE;
  }

  /** A fence of {@code counters} at {@code values}, index by index. */
  public static Fence of(List<Counter> counters, long[] values) {
    requireNonNull(counters, "counters");
    requireNonNull(values, "values");
    if (counters.size() != values.length) {
      throw new IllegalArgumentException(counters.size() + " counters but " + values.length + " values");
    }
    return counters.isEmpty() ? NONE : new Fence(List.copyOf(counters), values.clone());
  }

  /** A fence of {@code counters} at the values {@code current} gives for them now. */
  public static Fence read(List<Counter> counters, ToLongFunction<Counter> current) {
    long[] values = new long[counters.size()];
    for (int i = 0; i < values.length; i++) {
      values[i] = current.applyAsLong(counters.get(i));
    }
    return of(counters, values);
  }

  /** True when every counter still has its recorded value according to {@code current}. */
  public boolean holds(ToLongFunction<Counter> current) {
    for (int i = 0; i < values.length; i++) {
      if (current.applyAsLong(counters.get(i)) != values[i]) {
        return false;
      }
    }
    return true;
  }

  /** The counter names, in order. */
  public List<Counter> counters() {
    return counters;
  }

  /** The number of counters. */
  public int size() {
    return values.length;
  }

  /** The value recorded for counter {@code index}. */
  public long value(int index) {
    return values[index];
  }

  /**
   * The fence as text, one encoding for every store: {@code name=value;} for each counter in order,
   * where {@code name} is what {@code nameOf} calls the counter in the store, with {@code %},
   * {@code =} and {@code ;} percent-encoded so that any name is safe. A server-side script can
   * match the pairs with {@code ([^=;]+)=(%d+);}.
   */
  public String encode(Function<Counter, String> nameOf) {
    StringBuilder out = new StringBuilder(values.length * 24);
    for (int i = 0; i < values.length; i++) {
      String name = nameOf.apply(counters.get(i));
      for (int j = 0; j < name.length(); j++) {
        char c = name.charAt(j);
        switch (c) {
          case '%' -> out.append("%25");
          case '=' -> out.append("%3D");
          case ';' -> out.append("%3B");
          default -> out.append(c);
        }
      }
      out.append('=').append(values[i]).append(';');
    }
    return out.toString();
  }

  /**
   * The names and values of an {@link #encode encoded} fence, in order.
   *
   * @throws IllegalArgumentException if {@code text} is not one
   */
  public static Map<String, Long> decode(String text) {
    Map<String, Long> out = new LinkedHashMap<>();
    int from = 0;
    while (from < text.length()) {
      int eq = text.indexOf('=', from);
      int end = eq < 0 ? -1 : text.indexOf(';', eq);
      if (end < 0) {
        throw new IllegalArgumentException("not an encoded fence: " + text);
      }
      String name = text.substring(from, eq);
      if (name.indexOf('%') >= 0) {
        name = name.replace("%3D", "=").replace("%3B", ";").replace("%25", "%");
      }
      try {
        out.put(name, Long.parseLong(text.substring(eq + 1, end)));
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException("not an encoded fence: " + text, e);
      }
      from = end + 1;
    }
    return out;
  }

  /** The recorded values, as a fresh array. */
  public long[] values() {
    return values.clone();
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Fence f && f.counters.equals(counters) && Arrays.equals(f.values, values);
  }

  @Override
  public int hashCode() {
    return counters.hashCode() * 31 + Arrays.hashCode(values);
  }

  @Override
  public String toString() {
    List<String> parts = new ArrayList<>(values.length);
    for (int i = 0; i < values.length; i++) {
      parts.add(counters.get(i) + "=" + values[i]);
    }
    return "Fence" + Collections.unmodifiableList(parts);
  }
}
