package dev.apicache;

import java.util.Locale;
import org.jspecify.annotations.Nullable;

/**
 * The authority a request was sent to (its {@code Host}), normalised for keys: lower case, and
 * without the scheme's default port, so {@code Shop.Example:80} and {@code shop.example} are one
 * host on {@code http}.
 */
final class Authority {
  private Authority() {}

  /**
   * {@code host} normalised for {@code scheme}; empty for an empty value, null when the value is
   * not an authority (characters outside RFC 3986 §3.2.2, a port that is not a number).
   */
  static @Nullable String normalise(String host, String scheme) {
    String h = host.trim().toLowerCase(Locale.ROOT);
    if (h.isEmpty()) {
      return "";
    }
    int colon = h.lastIndexOf(':');
    if (colon >= 0 && h.indexOf(']', colon) < 0) {
      String port = h.substring(colon + 1);
      if (port.isEmpty() || port.length() > 5 || !port.chars().allMatch(c -> c >= '0' && c <= '9')) {
        return null;
      }
      int number = Integer.parseInt(port);
      boolean defaultPort = (number == 80 && scheme.equals("http")) || (number == 443 && scheme.equals("https"));
      h = defaultPort ? h.substring(0, colon) : h.substring(0, colon) + ":" + number;
    }
    for (int i = 0; i < h.length(); i++) {
      char c = h.charAt(i);
      boolean ok = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || "-._~!$&'()*+,;=%:[]".indexOf(c) >= 0;
      if (!ok) {
        return null;
      }
    }
    return h;
  }
}
