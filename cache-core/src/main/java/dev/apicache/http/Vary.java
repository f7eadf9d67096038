package dev.apicache.http;

import static java.util.Objects.requireNonNull;

import dev.apicache.Headers;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;

/**
 * The field names of a {@code Vary} field (RFC 9110 §12.5.5), parsed once over all its lines:
 * names in order of first appearance, compared case-insensitively, duplicates dropped; {@code *}
 * means the response varies on more than request fields. Immutable.
 *
 * @since 0.1
 */
public final class Vary {
  private final List<String> names;
  private final boolean any;
  private final Set<String> lower;

  private Vary(List<String> names, boolean any) {
    this.names = names;
    this.any = any;
    Set<String> l = new TreeSet<>();
    names.forEach(n -> l.add(n.toLowerCase(Locale.ROOT)));
    this.lower = Collections.unmodifiableSet(l);
  }

  /** The {@code Vary} of {@code headers}, over every line. */
  public static Vary of(Headers headers) {
    return parse(requireNonNull(headers, "headers").all(HeaderNames.VARY));
  }

  /** The {@code Vary} made of {@code lines}. */
  public static Vary parse(List<String> lines) {
    List<String> names = new ArrayList<>();
    Set<String> seen = new TreeSet<>();
    boolean any = false;
    for (String line : requireNonNull(lines, "lines")) {
      for (String part : line.split(",")) {
        String name = part.trim();
        if (name.isEmpty()) {
          continue;
        }
        if (name.equals("*")) {
          any = true;
        } else if (seen.add(name.toLowerCase(Locale.ROOT))) {
          names.add(name);
        }
      }
    }
    return new Vary(List.copyOf(names), any);
  }

  /** The field names, as first spelled, in order; never {@code *}. */
  public List<String> names() {
    return names;
  }

  /** Whether the field holds {@code *}. */
  public boolean isAny() {
    return any;
  }

  /** Whether {@code name} is one of the field names (case-insensitive). */
  public boolean contains(String name) {
    return lower.contains(name.toLowerCase(Locale.ROOT));
  }

  /** Whether the field names nothing. */
  public boolean isEmpty() {
    return names.isEmpty() && !any;
  }

  /** This field with {@code more} names added after its own, duplicates dropped. */
  public Vary with(List<String> more) {
    List<String> all = new ArrayList<>(names);
    for (String n : more) {
      if (!contains(n) && all.stream().noneMatch(n::equalsIgnoreCase)) {
        all.add(n);
      }
    }
    return new Vary(List.copyOf(all), any);
  }

  /** The field value: {@code *} first when present, then the names, comma-separated. */
  @Override
  public String toString() {
    List<String> parts = new ArrayList<>();
    if (any) {
      parts.add("*");
    }
    parts.addAll(names);
    return String.join(", ", parts);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Vary v && v.any == any && v.lower.equals(lower);
  }

  @Override
  public int hashCode() {
    return lower.hashCode() * 31 + (any ? 1 : 0);
  }
}
