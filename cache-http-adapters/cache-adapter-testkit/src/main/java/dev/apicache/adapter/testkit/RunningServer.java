package dev.apicache.adapter.testkit;

import java.net.URI;

/** A started HTTP server under test. */
public interface RunningServer extends AutoCloseable {
  /** Where it listens, such as {@code http://127.0.0.1:41234}. */
  URI baseUri();

  /** Stops the server. */
  @Override
  void close();
}
