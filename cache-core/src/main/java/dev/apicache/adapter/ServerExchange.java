package dev.apicache.adapter;

import dev.apicache.Bytes;
import java.io.IOException;
import java.io.InputStream;
import java.util.List;
import java.util.Optional;
import java.util.function.BiConsumer;
import org.jspecify.annotations.Nullable;

/**
 * One request and its response as a server framework holds them: the whole binding a framework
 * adapter writes. {@link CacheFront} does the rest (the snapshot, admission, the response write,
 * write reporting, the loopback origin and its own-call check) once for every framework.
 *
 * <p>Request methods return what the framework parsed, unchanged: the cache keys on those strings
 * and the loopback sends them back byte for byte.
 *
 * @since 0.1
 */
public interface ServerExchange {

  /** The request method, as sent. */
  String method();

  /** The path and query as sent ({@code /a/b?c=d}), not decoded. */
  String target();

  /** {@code http} or {@code https}. */
  String scheme();

  /** Calls {@code each} for every request header line, in order, names as the client spelled them. */
  void forEachHeader(BiConsumer<String, String> each);

  /**
   * Calls {@code each} for the request attributes the application set (a principal, a tenant), for
   * key functions to read. None by default.
   */
  default void forEachAttribute(BiConsumer<String, @Nullable Object> each) {}

  /** The first value of request header {@code name} (case-insensitive), if the request has it. */
  Optional<String> header(String name);

  /** The local address the request arrived on, for the loopback origin. */
  String localAddress();

  /** The local port the request arrived on, for the loopback origin. */
  int localPort();

  /** How the server decodes header bytes, so the loopback can send them back as they came. */
  default LoopbackOrigin.HeaderDecoding headerDecoding() {
    return LoopbackOrigin.HeaderDecoding.LATIN_1;
  }

  /** Sets response header {@code name} on the response the application is about to send itself. */
  void setResponseHeader(String name, String value);

  /** Sets the response status; called first, once. */
  void status(int code);

  /**
   * Sets every value of response header {@code name} (the first spelling the response used),
   * replacing what the framework or the application set. Never called for {@code Content-Length}.
   */
  void header(String name, List<String> values);

  /**
   * Sends the response with a body of known length: {@code body} is empty with a non-zero
   * {@code contentLength} for a HEAD or a 304, which declare the 200's length. {@code contentLength}
   * is -1 when the response declared none.
   */
  void send(Bytes body, long contentLength) throws IOException;

  /** Sends a body too large to hold, copied from {@code body} as it arrives, chunked. */
  void stream(InputStream body) throws IOException;
}
