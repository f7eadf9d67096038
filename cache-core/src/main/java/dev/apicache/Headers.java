package dev.apicache;

import static java.util.Objects.requireNonNull;

import dev.apicache.http.CacheControl;
import dev.apicache.http.HeaderNames;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.function.BiConsumer;
import org.jspecify.annotations.Nullable;

/**
 * An immutable, ordered list of HTTP header fields with case-insensitive names.
 *
 * <p>Repeated fields keep their order; {@link #all(String)} returns every value of a name and
 * {@link #first(String)} the first. Thread-safe.
 *
 * @since 0.1
 */
public final class Headers {
  private static final Headers EMPTY = new Headers(List.of(), List.of());

  private final List<String> names;
  private final List<String> values;
  // parsed on first use, so a response's directives are parsed once however many steps read them;
  // a race parses twice into equal immutable values, which is harmless
  private @Nullable CacheControl cacheControl;
  private @Nullable CacheControl sharedCacheControl;

  private Headers(List<String> names, List<String> values) {
    this.names = names;
    this.values = values;
  }

  /** No headers. */
  public static Headers empty() {
    return EMPTY;
  }

  /** The directives of every {@code Cache-Control} line, parsed on first use and kept. */
  public CacheControl cacheControl() {
    CacheControl cc = cacheControl;
    if (cc == null) {
      cc = CacheControl.parse(all(HeaderNames.CACHE_CONTROL));
      cacheControl = cc;
    }
    return cc;
  }

  /**
   * The directives a shared cache applies to a response with these headers on an origin-directed
   * route, parsed on first use and kept: those of {@code CDN-Cache-Control} (RFC 9213, the field an
   * origin targets at caches like this one) when it is present and holds any, which then replace
   * {@code Cache-Control} entirely; else those of {@code Cache-Control}.
   */
  public CacheControl sharedCacheControl() {
    CacheControl cc = sharedCacheControl;
    if (cc == null) {
      List<String> targeted = all(CacheControl.CDN_CACHE_CONTROL);
      @Nullable CacheControl cdn = targeted.isEmpty() ? null : CacheControl.parse(targeted);
      cc = cdn != null && !cdn.names().isEmpty() ? cdn : cacheControl();
      sharedCacheControl = cc;
    }
    return cc;
  }

  /** Headers from alternating names and values: {@code of("Content-Type", "text/plain")}. */
  public static Headers of(String... namesAndValues) {
    if (namesAndValues.length % 2 != 0) {
      throw new IllegalArgumentException("expected name/value pairs but got " + namesAndValues.length + " strings");
    }
    Builder builder = builder();
    for (int i = 0; i < namesAndValues.length; i += 2) {
      builder.add(namesAndValues[i], namesAndValues[i + 1]);
    }
    return builder.build();
  }

  /** A builder for headers. */
  public static Builder builder() {
    return new Builder();
  }

  /** A builder that starts with these headers. */
  public Builder toBuilder() {
    Builder builder = new Builder();
    builder.names.addAll(names);
    builder.values.addAll(values);
    return builder;
  }

  /**
   * These headers followed by three more fields, built in one step: the hit path's own fields
   * after an entry's stored ones. The caller knows the names are absent here.
   */
  Headers plus(String n1, String v1, String n2, String v2, String n3, String v3) {
    int size = names.size();
    String[] n = names.toArray(new String[size + 3]);
    String[] v = values.toArray(new String[size + 3]);
    n[size] = n1;
    v[size] = v1;
    n[size + 1] = n2;
    v[size + 1] = v2;
    n[size + 2] = n3;
    v[size + 2] = v3;
    return new Headers(Collections.unmodifiableList(Arrays.asList(n)), Collections.unmodifiableList(Arrays.asList(v)));
  }

  /** The first value of {@code name}, if present. */
  public Optional<String> first(String name) {
    for (int i = 0; i < names.size(); i++) {
      if (names.get(i).equalsIgnoreCase(name)) {
        return Optional.of(values.get(i));
      }
    }
    return Optional.empty();
  }

  /** Every value of {@code name}, in order; empty when absent. */
  public List<String> all(String name) {
    List<String> found = null;
    for (int i = 0; i < names.size(); i++) {
      if (names.get(i).equalsIgnoreCase(name)) {
        if (found == null) {
          found = new ArrayList<>(2);
        }
        found.add(values.get(i));
      }
    }
    return found == null ? List.of() : Collections.unmodifiableList(found);
  }

  /** True when at least one field is named {@code name}. */
  public boolean contains(String name) {
    for (String n : names) {
      if (n.equalsIgnoreCase(name)) {
        return true;
      }
    }
    return false;
  }

  /** The number of fields. */
  public int size() {
    return names.size();
  }

  /** The name of field {@code index}, as it was given. */
  public String name(int index) {
    return names.get(index);
  }

  /** The value of field {@code index}. */
  public String value(int index) {
    return values.get(index);
  }

  /** Calls {@code action} with each field in order. */
  public void forEach(BiConsumer<String, String> action) {
    for (int i = 0; i < names.size(); i++) {
      action.accept(names.get(i), values.get(i));
    }
  }

  @Override
  public boolean equals(Object o) {
    if (!(o instanceof Headers other) || other.size() != size()) {
      return false;
    }
    for (int i = 0; i < names.size(); i++) {
      if (!names.get(i).equalsIgnoreCase(other.names.get(i)) || !values.get(i).equals(other.values.get(i))) {
        return false;
      }
    }
    return true;
  }

  @Override
  public int hashCode() {
    int h = 1;
    for (int i = 0; i < names.size(); i++) {
      h = 31 * h + names.get(i).toLowerCase(Locale.ROOT).hashCode();
      h = 31 * h + values.get(i).hashCode();
    }
    return h;
  }

  /** The fields as {@code Name: value} lines. */
  @Override
  public String toString() {
    StringBuilder out = new StringBuilder();
    forEach((n, v) -> out.append(n).append(": ").append(v).append('\n'));
    return out.toString();
  }

  /** Builds {@link Headers}; not thread-safe. */
  public static final class Builder {
    private final List<String> names = new ArrayList<>();
    private final List<String> values = new ArrayList<>();

    private Builder() {}

    /** Appends a field, keeping any others of the same name. */
    public Builder add(String name, String value) {
      requireNonNull(name, "name");
      requireNonNull(value, "value");
      if (name.isEmpty()) {
        throw new IllegalArgumentException("header name must not be empty");
      }
      names.add(name);
      values.add(value);
      return this;
    }

    /** Replaces every field named {@code name} with one field. */
    public Builder set(String name, String value) {
      remove(name);
      return add(name, value);
    }

    /** Removes every field named {@code name}. */
    public Builder remove(String name) {
      for (int i = names.size() - 1; i >= 0; i--) {
        if (names.get(i).equalsIgnoreCase(name)) {
          names.remove(i);
          values.remove(i);
        }
      }
      return this;
    }

    /** The headers, in the order added. */
    public Headers build() {
      return names.isEmpty() ? EMPTY : new Headers(List.copyOf(names), List.copyOf(values));
    }
  }
}
