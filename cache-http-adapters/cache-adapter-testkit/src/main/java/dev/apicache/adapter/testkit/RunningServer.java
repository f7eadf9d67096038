package dev.apicache.adapter.testkit;

import java.net.URI;
import java.util.function.IntSupplier;

/**
 * A started HTTP server under test.
 *
 * @since 0.1
 */
public interface RunningServer extends AutoCloseable {
  /** Where it listens, such as {@code http://127.0.0.1:41234}. */
  URI baseUri();

  /** Stops the server. */
  @Override
  void close();

  /** A server listening on {@code http://127.0.0.1:<port>}, stopped by {@code stop}. */
  static RunningServer onLoopback(IntSupplier port, Runnable stop) {
    return new RunningServer() {
      @Override
      public URI baseUri() {
        return URI.create("http://127.0.0.1:" + port.getAsInt());
      }

      @Override
      public void close() {
        stop.run();
      }
    };
  }
}
