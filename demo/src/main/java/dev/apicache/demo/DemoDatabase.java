package dev.apicache.demo;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.io.PrintStream;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Locale;

/**
 * The database under the demo: an embedded PostgreSQL started from the binaries on the class path
 * (the default), an embedded H2 served over TCP where PostgreSQL cannot run, or a server given by
 * its JDBC URL. It counts the statements it ran from its own statistics, not from the demo's.
 */
abstract class DemoDatabase implements AutoCloseable {
  /** The database the catalogue's tables live in, on an embedded PostgreSQL. */
  private static final String DEMO_DB = "apicache_demo";

  private long baseline;

  /** The JDBC URL every node connects to (user and password included). */
  abstract String jdbcUrl();

  /** What it is, for reports: "embedded PostgreSQL 14.22", "PostgreSQL at ...". */
  abstract String description();

  /** Statements on the catalogue's tables that the database itself counted, since it started. */
  protected abstract long counted() throws SQLException;

  /**
   * Statements the database ran since {@link #startCounting()}, from its own statistics. PostgreSQL
   * reports a session's statistics when it is idle for a while or when it ends, so a final count
   * is taken after the pools are closed; this waits, at most about ten seconds, until the count
   * stops moving.
   */
  final long statementsSettled() {
    try {
      long last = counted();
      for (int i = 0; i < 20; i++) {
        Thread.sleep(600); // the statistics collector's own pace (500 ms), not synchronisation of ours
        long now = counted();
        if (now == last) {
          return now - baseline;
        }
        last = now;
      }
      return last - baseline;
    } catch (SQLException | InterruptedException e) {
      throw new IllegalStateException("cannot read the database's statistics: " + e.getMessage(), e);
    }
  }

  /** As {@link #statementsSettled()} without waiting: what the statistics say now, possibly behind. */
  final long statementsNow() {
    try {
      return counted() - baseline;
    } catch (SQLException e) {
      return -1;
    }
  }

  /** Counts from here on (after the tables were prepared). */
  final void startCounting() {
    baseline = 0;
    baseline = statementsSettled();
  }

  @Override
  public abstract void close();

  /**
   * Opens the database {@code spec} names: {@code embedded} (PostgreSQL, else H2, saying so on
   * {@code out} in one line), {@code h2}, or a JDBC URL of a PostgreSQL server.
   */
  static DemoDatabase open(String spec, PrintStream out) {
    return open(spec, out, EmbeddedPg::new);
  }

  /** How an embedded PostgreSQL is started; a machine where it cannot run throws. */
  @FunctionalInterface
  interface PostgresStart {
    DemoDatabase start() throws IOException;
  }

  /** As {@link #open(String, PrintStream)}, starting embedded PostgreSQL with {@code postgres}. */
  static DemoDatabase open(String spec, PrintStream out, PostgresStart postgres) {
    switch (spec) {
      case "embedded":
        try {
          return postgres.start();
        } catch (IOException | RuntimeException e) {
          out.println("apicache: embedded PostgreSQL cannot run here (" + e.getMessage()
              + "); using embedded H2 instead");
          return new H2();
        }
      case "h2":
        return new H2();
      default:
        String lower = spec.toLowerCase(Locale.ROOT);
        if (lower.startsWith("jdbc:postgresql:")) {
          return new External(spec, "PostgreSQL", DemoDatabase::postgresStatements);
        }
        if (lower.startsWith("jdbc:h2:tcp:")) {
          return new External(spec, "H2", DemoDatabase::h2Statements);
        }
        throw new Main.UsageException("--db must be embedded, h2, a jdbc:postgresql: URL or another node's"
            + " jdbc:h2:tcp: URL but was '" + spec + "'");
    }
  }

  /** A PostgreSQL server of this process's own, in a temporary directory removed on close. */
  private static final class EmbeddedPg extends DemoDatabase {
    private final EmbeddedPostgres server;
    private final String version;
    private final java.util.Optional<Process> watchdog;

    EmbeddedPg() throws IOException {
      server = EmbeddedPostgres.builder().setServerConfig("max_connections", "300").start();
      String dataDirectory;
      try (Connection c = admin(); Statement s = c.createStatement()) {
        s.execute("CREATE DATABASE " + DEMO_DB);
        try (ResultSet r = s.executeQuery("SHOW server_version")) {
          r.next();
          version = r.getString(1);
        }
        try (ResultSet r = s.executeQuery("SHOW data_directory")) {
          r.next();
          dataDirectory = r.getString(1);
        }
      } catch (SQLException e) {
        server.close();
        throw new IOException("cannot create the demo's database: " + e.getMessage(), e);
      }
      watchdog = watch(java.nio.file.Path.of(dataDirectory));
    }

    /**
     * A shell that outlives this JVM only to stop its PostgreSQL (fast shutdown) and remove the data
     * directory if the JVM dies without closing it (killed, crashed): nothing is left running.
     * Where no POSIX shell runs, there is no watchdog.
     */
    private static java.util.Optional<Process> watch(java.nio.file.Path dataDirectory) {
      try {
        String postmaster = java.nio.file.Files.readAllLines(dataDirectory.resolve("postmaster.pid")).get(0).trim();
        if (!postmaster.matches("\\d+") || !dataDirectory.toString().matches("[A-Za-z0-9_./-]+")) {
          return java.util.Optional.empty();
        }
        String script = "while kill -0 " + ProcessHandle.current().pid() + " 2>/dev/null; do sleep 1; done; kill -INT "
            + postmaster + " 2>/dev/null; sleep 3; rm -rf " + dataDirectory;
        return java.util.Optional.of(new ProcessBuilder("sh", "-c", script).redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.DISCARD).start());
      } catch (IOException | RuntimeException e) {
        return java.util.Optional.empty();
      }
    }

    private Connection admin() throws SQLException {
      return DriverManager.getConnection("jdbc:postgresql://127.0.0.1:" + server.getPort() + "/postgres?user=postgres");
    }

    @Override
    String jdbcUrl() {
      return "jdbc:postgresql://127.0.0.1:" + server.getPort() + "/" + DEMO_DB + "?user=postgres";
    }

    @Override
    String description() {
      return "embedded PostgreSQL " + version;
    }

    @Override
    protected long counted() throws SQLException {
      try (Connection c = DriverManager.getConnection(jdbcUrl())) {
        return postgresStatements(c);
      }
    }

    @Override
    public void close() {
      try {
        server.close();
      } catch (IOException e) {
        throw new java.io.UncheckedIOException(e);
      } finally {
        watchdog.ifPresent(Process::destroy);
      }
    }
  }

  /** A database another process serves, given by URL; its statistics are read over the same URL. */
  private static final class External extends DemoDatabase {
    private final String url;
    private final String description;
    private final StatementCount count;

    External(String url, String kind, StatementCount count) {
      this.url = url;
      this.description = kind + " at " + url.replaceAll("(?i)password=[^&;]*", "password=***");
      this.count = count;
    }

    @Override
    String jdbcUrl() {
      return url;
    }

    @Override
    String description() {
      return description;
    }

    @Override
    protected long counted() throws SQLException {
      try (Connection c = DriverManager.getConnection(url)) {
        return count.on(c);
      }
    }

    @Override
    public void close() {}
  }

  /** How a kind of database counts the catalogue's statements, over a connection to it. */
  @FunctionalInterface
  private interface StatementCount {
    long on(Connection c) throws SQLException;
  }

  /**
   * Statements on the catalogue's tables, as PostgreSQL counted them: each of the catalogue's
   * statements starts one scan of one table (by index or in full), or inserts one row. A pool's own
   * statements (validation, session settings) and these reads touch no table, so they are not counted.
   */
  private static long postgresStatements(Connection c) throws SQLException {
    try (Statement s = c.createStatement(); ResultSet r = s.executeQuery(
        "SELECT COALESCE(SUM(seq_scan + COALESCE(idx_scan, 0) + n_tup_ins), 0) FROM pg_stat_user_tables"
            + " WHERE relname LIKE 'demo\\_%'")) {
      r.next();
      return r.getLong(1);
    }
  }

  /**
   * Statements on the catalogue's tables, from H2's query statistics (turned on by the process that
   * serves it); a pool's own statements and these reads name no such table.
   */
  private static long h2Statements(Connection c) throws SQLException {
    try (Statement s = c.createStatement(); ResultSet r = s.executeQuery(
        "SELECT COALESCE(SUM(EXECUTION_COUNT), 0) FROM INFORMATION_SCHEMA.QUERY_STATISTICS"
            + " WHERE UPPER(SQL_STATEMENT) LIKE '%DEMO\\_%' AND SQL_STATEMENT NOT LIKE '%QUERY_STATISTICS%'")) {
      r.next();
      return r.getLong(1);
    }
  }

  /** H2 in this process, served over TCP on loopback so that every node's process can reach it. */
  private static final class H2 extends DemoDatabase {
    private final org.h2.tools.Server server;
    private final String url;
    private final Connection keeper;

    H2() {
      try {
        server = org.h2.tools.Server.createTcpServer("-tcpPort", "0", "-ifNotExists").start();
        url = "jdbc:h2:tcp://127.0.0.1:" + server.getPort() + "/mem:apicache_demo;USER=sa;PASSWORD=sa";
        keeper = DriverManager.getConnection(url); // an in-memory database lives while a connection does
        try (Statement s = keeper.createStatement()) {
          s.execute("SET QUERY_STATISTICS_MAX_ENTRIES 1000");
          s.execute("SET QUERY_STATISTICS TRUE");
        }
      } catch (SQLException e) {
        throw new IllegalStateException("cannot start embedded H2: " + e.getMessage(), e);
      }
    }

    @Override
    String jdbcUrl() {
      return url;
    }

    @Override
    String description() {
      return "embedded H2 " + org.h2.engine.Constants.VERSION;
    }

    @Override
    protected synchronized long counted() throws SQLException {
      return h2Statements(keeper);
    }

    @Override
    public void close() {
      try {
        keeper.close();
      } catch (SQLException e) {
        // the server stops below whatever the connection says
      }
      server.stop();
    }
  }
}
