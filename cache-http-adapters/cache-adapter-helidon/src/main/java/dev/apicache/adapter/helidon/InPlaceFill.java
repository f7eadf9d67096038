package dev.apicache.adapter.helidon;

import dev.apicache.Bytes;
import dev.apicache.CacheEngine;
import dev.apicache.CacheResponse;
import dev.apicache.Headers;
import dev.apicache.Serving;
import io.helidon.http.Header;
import io.helidon.http.HeaderNames;
import io.helidon.http.HeaderValues;
import io.helidon.http.ServerResponseHeaders;
import io.helidon.http.Status;
import io.helidon.webserver.http.ServerResponse;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;

/**
 * A miss run in place on Helidon: a stream filter on the response holds what the handler writes
 * (up to the policy's limit), and when the handler closes its stream, completes the fill and sends
 * the engine's answer through the response's own stream instead. Past the limit it turns into a
 * pass-through, uncached.
 *
 * <p>Helidon fixes a response stream's length when the stream is created, from the headers the
 * handler set by then; the answer is therefore sent with the engine's headers but, when the handler
 * declared a length, only in that length (a 304 then goes out as the full 200).
 */
final class InPlaceFill extends OutputStream {
  private final ServerResponse response;
  private final Serving.Fill fill;
  private final boolean clientAcceptsEncodings;
  private final OutputStream delegate;
  private final ByteArrayOutputStream held = new ByteArrayOutputStream();
  private final long declaredLength;
  private boolean passingThrough;
  private boolean closed;

  private InPlaceFill(ServerResponse response, Serving.Fill fill, boolean clientAcceptsEncodings,
      OutputStream delegate) {
    this.response = response;
    this.fill = fill;
    this.clientAcceptsEncodings = clientAcceptsEncodings;
    this.delegate = delegate;
    this.declaredLength = response.headers().contentLength().orElse(-1);
  }

  /** Makes the rest of {@code response}'s handling the origin call of {@code fill}. */
  static void install(ServerResponse response, Serving.Fill fill, boolean clientAcceptsEncodings) {
    response.streamFilter(out -> new InPlaceFill(response, fill, clientAcceptsEncodings, out));
  }

  @Override
  public void write(int b) throws IOException {
    write(new byte[] {(byte) b}, 0, 1);
  }

  @Override
  public void write(byte[] b, int off, int len) throws IOException {
    if (!passingThrough && held.size() + len > fill.holdLimit()) {
      passThrough();
    }
    if (passingThrough) {
      delegate.write(b, off, len);
    } else {
      held.write(b, off, len);
    }
  }

  @Override
  public void flush() throws IOException {
    if (passingThrough) {
      delegate.flush(); // a held response is not committed before the engine has seen it
    }
  }

  /** Too large to hold: what was held goes out first, the rest straight after, nothing is stored. */
  private void passThrough() throws IOException {
    passingThrough = true;
    fill.streamedHeaders().forEach((name, value) -> response.headers().set(HeaderValues.create(name, value)));
    fill.complete(CacheResponse.sent(response.status().code(), captured().headers()));
    held.writeTo(delegate);
    held.reset();
  }

  @Override
  public void close() throws IOException {
    if (closed) {
      return;
    }
    closed = true;
    if (passingThrough || fill.isDone()) {
      delegate.close();
      return;
    }
    CacheResponse captured = captured();
    if (clientAcceptsEncodings && captured.headers().contains("Content-Encoding")) {
      // Helidon is compressing for this client: what was held is the identity body, labelled with
      // the encoder's header; send it as it is and store nothing
      fill.close();
      held.writeTo(delegate);
      delegate.close();
      return;
    }
    CacheResponse answer;
    try {
      answer = fill.complete(captured);
    } catch (RuntimeException e) {
      held.writeTo(delegate);
      delegate.close();
      throw e;
    }
    send(fitted(answer, captured));
  }

  private CacheResponse captured() {
    Headers.Builder h = Headers.builder();
    for (Header header : response.headers()) {
      header.allValues().forEach(v -> h.add(header.name(), v));
    }
    return CacheResponse.of(response.status().code(), h.build(), Bytes.copyOf(held.toByteArray()));
  }

  /**
   * The answer in the length the response stream was created with, when the handler declared one:
   * a 304 or a stale copy of another length goes out as the handler's own response, with the
   * engine's fields.
   */
  private CacheResponse fitted(CacheResponse answer, CacheResponse captured) {
    long length = answer.status() == 304 ? 0 : answer.body().size();
    if (declaredLength < 0 || length == declaredLength) {
      return answer;
    }
    CacheResponse.Builder own = captured.toBuilder();
    answer.headers().forEach((name, value) -> own.removeHeader(name));
    answer.headers().forEach((name, value) -> {
      if (!name.equalsIgnoreCase("Content-Length")) {
        own.header(name, value);
      }
    });
    return own.build();
  }

  private void send(CacheResponse answer) throws IOException {
    ServerResponseHeaders headers = response.headers();
    headers.clear();
    answer.headers().forEach((name, value) -> {
      if (!name.equalsIgnoreCase("Content-Length")) {
        headers.add(HeaderValues.create(name, value));
      }
    });
    if (answer.status() == 304) {
      response.status(Status.NOT_MODIFIED_304); // Helidon adds a 0 length; notModifiedListener() drops it
    } else {
      response.status(Status.create(answer.status()));
      headers.set(HeaderValues.create(HeaderNames.CONTENT_LENGTH, Integer.toString(answer.body().size())));
    }
    try {
      if (answer.status() != 304) {
        answer.body().writeTo(delegate);
      }
    } finally {
      delegate.close();
    }
  }
}
