package dev.apicache;

import static java.util.Objects.requireNonNull;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Loads {@link CachePolicies} from a YAML or JSON file (JSON when the name ends in {@code .json}).
 *
 * <pre>{@code
 * policies:
 *   - path: /api/products            # exact, /api/products/{id}, /api/products/{id:int} or /api/products/**
 *     methods: [GET]                 # GET (default); HEAD is served with it
 *     ttl: 60s                       # plain numbers are seconds; also 500ms, 5m, 1h, 1d, PT1M
 *     staleWhileRevalidate: 30s
 *     staleIfError: 10m
 *     varyBy: [category, page, "header:X-Tenant-Id", "key:tenant"]
 *     invalidateOn: [product.updated]
 *     tags: ["product:{id}"]
 *     cacheControl: no-cache         # sent to clients; default no-cache
 *     maxBodySize: 1MB               # larger bodies are served, not stored; default 1MB
 *     shared: false                  # true: cache requests that carry Authorization too
 *     shareAcrossHosts: false        # true: one entry for every Host the service answers
 *   - path: /api/catalog/**
 *     freshness: origin              # the response's Cache-Control / Expires / Age decide (RFC 9111)
 *     minTtl: 0s                     # bounds on what the origin says; default 0s and 365d
 *     maxTtl: 1h
 * writes:
 *   - path: /api/products/**
 *     methods: [POST, PUT, PATCH, DELETE]
 *     events: [product.updated]
 * }</pre>
 *
 * Every mistake (an unknown field, a wrong type, a bad duration, a duplicate route, an
 * unregistered key function) fails the load with one {@link PolicyConfigException} whose message
 * names the file, the entry and the reason.
 *
 * <p><b>Note:</b> the reader needs {@code com.fasterxml.jackson.dataformat:jackson-dataformat-yaml}
 * on the class path, which {@code apicache-core} declares optional: policies built in code need
 * nothing beyond the JDK. Without it, loading fails with a {@link PolicyConfigException} that says
 * so.
 *
 * @since 0.1
 */
public final class PolicyFile {
  private static final Pattern DURATION = Pattern.compile("(\\d+(?:\\.\\d+)?)\\s*(ms|s|m|h|d)?");
  private static final String JACKSON_YAML = "com.fasterxml.jackson.dataformat.yaml.YAMLFactory";

  private PolicyFile() {}

  /** Loads {@code file}; {@code keyFunctions} are the functions {@code key:NAME} parts may name. */
  public static CachePolicies load(Path file, Map<String, KeyFunction> keyFunctions) {
    requireNonNull(file, "file");
    String text;
    try {
      text = Files.readString(file, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new PolicyConfigException(file + ": cannot read policy file: " + e.getMessage(), e);
    }
    return parse(text, file.toString(), keyFunctions);
  }

  /**
   * Parses policy text; {@code source} names it in errors and picks the format (JSON when it ends in
   * {@code .json}, YAML otherwise).
   *
   * @throws PolicyConfigException for any mistake in the text, or when Jackson is not on the class path
   */
  public static CachePolicies parse(String text, String source, Map<String, KeyFunction> keyFunctions) {
    requireNonNull(text, "text");
    requireNonNull(source, "source");
    requireNonNull(keyFunctions, "keyFunctions");
    try {
      Class.forName(JACKSON_YAML, false, PolicyFile.class.getClassLoader());
    } catch (ClassNotFoundException | LinkageError e) {
      throw new PolicyConfigException(source + ": reading a policy file needs Jackson's YAML support on the class "
          + "path (com.fasterxml.jackson.dataformat:jackson-dataformat-yaml); add it, or build the policies in code "
          + "with CachePolicies.builder()");
    }
    return PolicyReader.parse(text, source, keyFunctions);
  }

  /**
   * Reads policies already parsed into a tree, by the policy file's rules and with its messages:
   * {@code root} holds {@code policies} and {@code writes} as the file does, built of maps with
   * string keys, lists, strings, numbers and booleans (a configuration binder's output, say).
   * Needs nothing beyond the JDK.
   *
   * @throws PolicyConfigException for any mistake, naming {@code source} and the field at fault
   */
  public static CachePolicies fromTree(Map<String, ?> root, String source, Map<String, KeyFunction> keyFunctions) {
    requireNonNull(root, "root");
    requireNonNull(source, "source");
    requireNonNull(keyFunctions, "keyFunctions");
    return PolicyTree.read(root, source, keyFunctions);
  }

  /**
   * Parses a duration as the policy file spells it: {@code 60} (seconds), {@code 60s}, {@code 500ms},
   * {@code 5m}, {@code 1h}, {@code 1d} or ISO-8601 {@code PT1M}.
   *
   * @throws IllegalArgumentException naming the text and the accepted spellings
   */
  public static Duration parseDuration(String text) {
    String t = text.trim();
    if (t.regionMatches(true, 0, "P", 0, 1)) {
      try {
        return Duration.parse(t.toUpperCase(Locale.ROOT));
      } catch (DateTimeParseException e) {
        throw new IllegalArgumentException("bad ISO-8601 duration '" + text + "'");
      }
    }
    Matcher m = DURATION.matcher(t);
    if (!m.matches()) {
      throw new IllegalArgumentException("bad duration '" + text + "' (use 500ms, 60s, 5m, 1h, 1d, a number of seconds"
          + " or ISO-8601 such as PT1M)");
    }
    double amount = Double.parseDouble(m.group(1));
    String unit = m.group(2) == null ? "s" : m.group(2);
    double millis;
    switch (unit) {
      case "ms":
        millis = amount;
        break;
      case "m":
        millis = amount * 60_000;
        break;
      case "h":
        millis = amount * 3_600_000;
        break;
      case "d":
        millis = amount * 86_400_000;
        break;
      default:
        millis = amount * 1000;
    }
    if (millis > 365L * 86_400_000) {
      throw new IllegalArgumentException("duration '" + text + "' is longer than a year");
    }
    if (millis != Math.rint(millis)) {
      throw new IllegalArgumentException("duration '" + text + "' is not a whole number of milliseconds");
    }
    return Duration.ofMillis((long) millis);
  }

}
