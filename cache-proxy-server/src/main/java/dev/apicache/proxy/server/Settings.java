package dev.apicache.proxy.server;

import dev.apicache.proxy.ApiCacheProxy;
import java.io.IOException;
import java.io.Reader;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What {@code apicache-proxy} runs with. Each setting has one name, given as a flag
 * ({@code --cache-size 256MiB}), as an environment variable ({@code APICACHE_CACHE_SIZE=256MiB}) or
 * as a line of a settings file ({@code cache-size = 256MiB}, named by {@code --settings} or
 * {@code APICACHE_SETTINGS}); a flag wins over the environment, which wins over the file. An
 * unknown name, in any of the three, is an error: a misspelt setting never goes unnoticed.
 */
record Settings(URI upstream, String host, int port, String managementHost, int managementPort,
    Optional<Path> policies, StoreKind store, String redisUrl, List<String> hazelcastMembers, String hazelcastCluster,
    int hazelcastPort, long cacheBytes, Duration connectTimeout, Duration timeout, Duration idleTimeout,
    Duration upstreamIdleTimeout, Duration drainTimeout, Optional<String> adminToken, boolean xCache,
    boolean cacheStatus, boolean honourClientCacheControl, AccessLog.Format accessLog, int ioThreads) {

  /** A setting that cannot be used, said in one line. */
  static final class SettingsException extends RuntimeException {
    SettingsException(String message) {
      super(message);
    }
  }

  /** The stores the proxy can run on. */
  enum StoreKind {
    CAFFEINE, REDIS, TIERED, HAZELCAST, TIERED_HAZELCAST;

    @Override
    public String toString() {
      return name().toLowerCase(Locale.ROOT).replace('_', '-');
    }
  }

  /** Every setting, with its default ("" for none) and what it means, in the order --help lists them. */
  static final Map<String, String[]> NAMES = new LinkedHashMap<>();

  static {
    name("upstream", "", "the service to cache, http(s)://host:port (required)");
    name("host", "127.0.0.1", "the address to listen on (0.0.0.0 for every interface)");
    name("port", "8080", "the port to listen on");
    name("management-host", "127.0.0.1", "the address of the health and metrics endpoints");
    name("management-port", "9901", "their port: /health/live, /health/ready, /metrics (Prometheus); -1: off");
    name("policies", "", "a policy file (YAML or JSON); without one the upstream's Cache-Control decides");
    name("store", "caffeine", "caffeine, redis, tiered (caffeine over redis), hazelcast or tiered-hazelcast");
    name("redis-url", "redis://127.0.0.1:6379", "the Redis of the redis and tiered stores");
    name("hazelcast-members", "", "host:port of other proxies' Hazelcast members, comma-separated");
    name("hazelcast-cluster", "apicache-proxy", "the Hazelcast cluster's name");
    name("hazelcast-port", "5701", "the port of this proxy's Hazelcast member");
    name("cache-size", "256MiB", "the memory the in-process cache may use (caffeine, and the near tier): "
        + "entries up to 4/5 of it, the rest the collector's room; the heap follows it");
    name("connect-timeout", "2s", "how long connecting to the upstream may take");
    name("timeout", "30s", "how long the upstream may take to answer (and between parts of a body)");
    name("idle-timeout", "60s", "how long a client connection may idle, or leave a response unread");
    name("upstream-idle-timeout", "4s", "how long an upstream connection may idle in the pool");
    name("drain-timeout", "20s", "on SIGTERM, how long requests in progress may take to finish");
    name("admin-token-file", "", "a file holding the admin API's token (or APICACHE_ADMIN_TOKEN)");
    name("x-cache", "true", "whether responses carry X-Cache");
    name("cache-status", "true", "whether responses carry Cache-Status");
    name("honour-client-cache-control", "false", "whether clients' Cache-Control may force origin calls");
    name("access-log", "plain", "one line per request to standard output: plain, json or off");
    name("io-threads", String.valueOf(Runtime.getRuntime().availableProcessors()), "event-loop threads");
  }

  private static void name(String name, String fallback, String meaning) {
    NAMES.put(name, new String[] {fallback, meaning});
  }

  /** The environment variable of setting {@code name}. */
  static String variable(String name) {
    return "APICACHE_" + name.toUpperCase(Locale.ROOT).replace('-', '_');
  }

  /**
   * The settings {@code args}, {@code environment} and the settings file they name give.
   *
   * @throws SettingsException for an unknown name, a value that does not parse, or a missing upstream
   */
  static Settings parse(List<String> args, Map<String, String> environment) {
    Map<String, String> flags = new LinkedHashMap<>();
    Optional<String> file = Optional.ofNullable(environment.get("APICACHE_SETTINGS"));
    for (int i = 0; i < args.size(); i++) {
      String arg = args.get(i);
      if (!arg.startsWith("--")) {
        throw new SettingsException("unexpected argument '" + arg + "'");
      }
      String name = arg.substring(2);
      String value;
      int eq = name.indexOf('=');
      if (name.equals("no-x-cache") || name.equals("no-cache-status")) {
        name = name.substring(3);
        value = "false";
      } else if (eq >= 0) {
        value = name.substring(eq + 1);
        name = name.substring(0, eq);
      } else if (i + 1 < args.size() && !args.get(i + 1).startsWith("--")) {
        value = args.get(++i);
      } else {
        throw new SettingsException("--" + name + " needs a value");
      }
      if (name.equals("settings")) {
        file = Optional.of(value);
        continue;
      }
      known(name, "--" + name);
      flags.put(name, value);
    }
    Map<String, String> values = new LinkedHashMap<>();
    NAMES.forEach((name, v) -> values.put(name, v[0]));
    if (file.isPresent()) {
      values.putAll(readFile(Path.of(file.get())));
    }
    for (Map.Entry<String, String> e : environment.entrySet()) {
      if (e.getKey().startsWith("APICACHE_") && !e.getKey().equals("APICACHE_SETTINGS")
          && !e.getKey().equals("APICACHE_ADMIN_TOKEN") && !e.getKey().equals("APICACHE_JAVA_OPTS")) {
        String name = e.getKey().substring("APICACHE_".length()).toLowerCase(Locale.ROOT).replace('_', '-');
        known(name, e.getKey());
        values.put(name, e.getValue());
      }
    }
    values.putAll(flags);
    return of(values, environment);
  }

  private static void known(String name, String as) {
    if (!NAMES.containsKey(name)) {
      throw new SettingsException("unknown setting " + as + closest(name).map(c -> " (did you mean " + c + "?)")
          .orElse("") + "; apicache-proxy --help lists them");
    }
  }

  private static Optional<String> closest(String name) {
    String best = null;
    int bestDistance = 3;
    for (String known : NAMES.keySet()) {
      int d = distance(name, known);
      if (d < bestDistance) {
        best = known;
        bestDistance = d;
      }
    }
    return Optional.ofNullable(best);
  }

  private static int distance(String a, String b) {
    int[] prev = new int[b.length() + 1];
    for (int j = 0; j <= b.length(); j++) {
      prev[j] = j;
    }
    for (int i = 1; i <= a.length(); i++) {
      int[] cur = new int[b.length() + 1];
      cur[0] = i;
      for (int j = 1; j <= b.length(); j++) {
        cur[j] = Math.min(Math.min(cur[j - 1] + 1, prev[j] + 1), prev[j - 1] + (a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1));
      }
      prev = cur;
    }
    return prev[b.length()];
  }

  private static Map<String, String> readFile(Path file) {
    Properties p = new Properties();
    try (Reader in = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
      p.load(in);
    } catch (IOException e) {
      throw new SettingsException("cannot read the settings file " + file + ": " + e.getMessage());
    }
    Map<String, String> out = new LinkedHashMap<>();
    for (String name : p.stringPropertyNames()) {
      known(name, "'" + name + "' in " + file);
      out.put(name, p.getProperty(name).strip());
    }
    return out;
  }

  private static Settings of(Map<String, String> v, Map<String, String> environment) {
    String upstreamText = value(v, "upstream");
    if (upstreamText.isBlank()) {
      throw new SettingsException("no upstream: give --upstream http://host:port (or APICACHE_UPSTREAM)");
    }
    URI upstream;
    try {
      upstream = ApiCacheProxy.parseUpstream(upstreamText);
    } catch (IllegalArgumentException e) {
      throw new SettingsException(String.valueOf(e.getMessage()));
    }
    StoreKind store;
    try {
      store = StoreKind.valueOf(value(v, "store").toUpperCase(Locale.ROOT).replace('-', '_'));
    } catch (IllegalArgumentException e) {
      throw new SettingsException("store must be caffeine, redis, tiered, hazelcast or tiered-hazelcast but was '"
          + value(v, "store") + "'");
    }
    List<String> members = new ArrayList<>();
    for (String m : value(v, "hazelcast-members").split(",")) {
      if (!m.isBlank()) {
        members.add(m.strip());
      }
    }
    Optional<Path> policies = value(v, "policies").isBlank() ? Optional.empty() : Optional.of(Path.of(value(v, "policies")));
    AccessLog.Format log;
    try {
      log = AccessLog.Format.valueOf(value(v, "access-log").toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      throw new SettingsException("access-log must be plain, json or off but was '" + value(v, "access-log") + "'");
    }
    int managementPort = integer(v, "management-port", -1, 65535);
    return new Settings(upstream, value(v, "host"), integer(v, "port", 0, 65535), value(v, "management-host"),
        managementPort, policies, store, value(v, "redis-url"), List.copyOf(members), value(v, "hazelcast-cluster"),
        integer(v, "hazelcast-port", 0, 65535), size(v, "cache-size"), duration(v, "connect-timeout"),
        duration(v, "timeout"), duration(v, "idle-timeout"), duration(v, "upstream-idle-timeout"),
        duration(v, "drain-timeout"), adminToken(value(v, "admin-token-file"), environment),
        bool(v, "x-cache"), bool(v, "cache-status"), bool(v, "honour-client-cache-control"), log,
        integer(v, "io-threads", 1, 1024));
  }

  private static Optional<String> adminToken(String file, Map<String, String> environment) {
    if (!file.isBlank()) {
      try {
        String token = Files.readString(Path.of(file), StandardCharsets.UTF_8).strip();
        if (token.isEmpty()) {
          throw new SettingsException("the admin token file " + file + " is empty");
        }
        return Optional.of(token);
      } catch (IOException e) {
        throw new SettingsException("cannot read the admin token file " + file + ": " + e.getMessage());
      }
    }
    return Optional.ofNullable(environment.get("APICACHE_ADMIN_TOKEN")).map(String::strip).filter(t -> !t.isEmpty());
  }

  /** A setting's value; every setting has one, its default at least. */
  private static String value(Map<String, String> v, String name) {
    String value = v.get(name);
    if (value == null) {
      throw new IllegalStateException("no value, not even a default, for " + name);
    }
    return value;
  }

  private static int integer(Map<String, String> v, String name, int min, int max) {
    try {
      int n = Integer.parseInt(value(v, name).strip());
      if (n < min || n > max) {
        throw new SettingsException(name + " must be in [" + min + ", " + max + "] but was " + n);
      }
      return n;
    } catch (NumberFormatException e) {
      throw new SettingsException(name + " must be a number but was '" + value(v, name) + "'");
    }
  }

  private static boolean bool(Map<String, String> v, String name) {
    String s = value(v, name).strip().toLowerCase(Locale.ROOT);
    if (s.equals("true") || s.equals("false")) {
      return Boolean.parseBoolean(s);
    }
    throw new SettingsException(name + " must be true or false but was '" + value(v, name) + "'");
  }

  private static final Pattern DURATION = Pattern.compile("(\\d+)\\s*(ms|s|m|h)");
  private static final Pattern SIZE = Pattern.compile("(\\d+)\\s*(B|KiB|MiB|GiB|KB|MB|GB|k|m|g)?",
      Pattern.CASE_INSENSITIVE);

  /** {@code 500ms}, {@code 2s}, {@code 1m}, {@code 1h}. */
  static Duration duration(Map<String, String> v, String name) {
    Matcher m = DURATION.matcher(value(v, name).strip());
    if (!m.matches()) {
      throw new SettingsException(name + " must be a duration such as 500ms, 2s, 1m or 1h but was '" + value(v, name)
          + "'");
    }
    long n = Long.parseLong(m.group(1));
    return switch (m.group(2)) {
      case "ms" -> Duration.ofMillis(n);
      case "s" -> Duration.ofSeconds(n);
      case "m" -> Duration.ofMinutes(n);
      default -> Duration.ofHours(n);
    };
  }

  /** {@code 1048576}, {@code 512KiB}, {@code 256MiB}, {@code 1GiB} (KB, MB and GB are read as the same). */
  static long size(Map<String, String> v, String name) {
    Matcher m = SIZE.matcher(value(v, name).strip());
    if (!m.matches()) {
      throw new SettingsException(name + " must be a size such as 64MiB or 1GiB but was '" + value(v, name) + "'");
    }
    long n = Long.parseLong(m.group(1));
    String unit = m.group(2) == null ? "b" : m.group(2).toLowerCase(Locale.ROOT);
    long bytes = switch (unit.charAt(0)) {
      case 'k' -> n << 10;
      case 'm' -> n << 20;
      case 'g' -> n << 30;
      default -> n;
    };
    if (bytes < (1 << 20)) {
      throw new SettingsException(name + " must be at least 1MiB but was '" + value(v, name) + "'");
    }
    return bytes;
  }
}
