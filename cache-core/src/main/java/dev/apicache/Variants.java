package dev.apicache;

import dev.apicache.http.HeaderNames;
import dev.apicache.http.Vary;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.TreeSet;
import org.jspecify.annotations.Nullable;

/**
 * Variants chosen by the response (RFC 9111 §4.1), on origin-directed routes: a response whose
 * {@code Vary} names request fields the policy does not key on is stored under a key that adds the
 * request's values of those fields, and the route's own key holds the list of names, so a later
 * request finds the variant its own values select.
 *
 * <p>Values are normalised as §4.1 allows: the field's lines are combined, split at commas, each
 * member trimmed of whitespace, empty members dropped. A field absent from the request is distinct
 * from one present and empty. {@code Vary: *} is never stored, so it never matches.
 */
final class Variants {
  private Variants() {}

  /**
   * The names in {@code response}'s {@code Vary} that select a variant under {@code policy}: lower
   * case, sorted, without the fields the policy keys on and without {@code Accept-Encoding} for an
   * unencoded body (the engine asks for identity, which suits every client). Empty on a
   * policy-directed route, which refuses to store such responses instead.
   */
  static List<String> selecting(CachePolicy policy, Headers response) {
    if (policy.originDirected().isEmpty()) {
      return List.of();
    }
    Vary vary = Vary.of(response);
    if (vary.names().isEmpty()) {
      return List.of();
    }
    boolean encoded = response.contains(HeaderNames.CONTENT_ENCODING);
    TreeSet<String> names = new TreeSet<>();
    for (String name : vary.names()) {
      String lower = name.toLowerCase(Locale.ROOT);
      if (lower.equals("accept-encoding") && !encoded) {
        continue;
      }
      boolean keyed;
      try {
        keyed = policy.varies(new VaryBy.Header(name));
      } catch (IllegalArgumentException notAFieldName) {
        keyed = false; // never stored (Storability refuses it); compared like any other name here
      }
      if (!keyed) {
        names.add(lower);
      }
    }
    return List.copyOf(names);
  }

  /** The key of the variant of {@code base} that {@code request}'s values of {@code names} select. */
  static CacheKey key(CacheKey base, List<String> names, Headers request) {
    CacheKey.Builder b = CacheKey.variantOf(base);
    for (String name : names) {
      b.part(name);
      String value = normalised(request.all(name));
      b.values(value == null ? List.of() : List.of(value));
    }
    return b.build();
  }

  /**
   * Whether a response filled for a request with {@code askedWith} may be served to a request with
   * {@code headers}: the same normalised values of every field {@code response} varies on.
   */
  static boolean sameVariant(CachePolicy policy, Headers response, Headers askedWith, Headers headers) {
    if (Vary.of(response).isAny()) {
      return false;
    }
    for (String name : selecting(policy, response)) {
      String a = normalised(askedWith.all(name));
      String b = normalised(headers.all(name));
      if (a == null ? b != null : !a.equals(b)) {
        return false;
      }
    }
    return true;
  }

  /** The lines of one field as one comparable value, or null when the field is absent. */
  static @Nullable String normalised(List<String> lines) {
    if (lines.isEmpty()) {
      return null;
    }
    List<String> members = new ArrayList<>();
    for (String line : lines) {
      for (String member : line.split(",")) {
        String m = member.strip();
        if (!m.isEmpty()) {
          members.add(m);
        }
      }
    }
    return String.join(",", members);
  }
}
