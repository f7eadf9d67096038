package dev.apicache.adapter.helidon;

import dev.apicache.CacheResponse;
import io.helidon.http.HeaderNames;
import io.helidon.http.HeaderValues;
import io.helidon.http.ServerResponseHeaders;
import io.helidon.http.Status;
import io.helidon.webserver.http.ServerResponse;
import java.io.IOException;
import java.io.OutputStream;
import java.util.Arrays;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * An unsafe request's response on Helidon, reported just before its first byte can leave, when the
 * status and headers are final and nothing is sent: by a stream filter at the first write, flush or
 * close of the response's stream, or by a {@code beforeSend} listener for a response sent some
 * other way, whichever comes first. When the report returns a response, that one goes out instead:
 * through the stream, what the handler writes after is dropped; sent otherwise, the status and
 * fields are replaced. Nothing is held, so no size limit is added.
 */
final class WriteReport {
  private final ServerResponse response;
  private final Supplier<Optional<CacheResponse>> report;
  private Optional<CacheResponse> instead; // null until reported; one request's thread at a time

  private WriteReport(ServerResponse response, Supplier<Optional<CacheResponse>> report) {
    this.response = response;
    this.report = report;
  }

  /** Reports {@code response}'s write through {@code report} before it sends anything. */
  static void install(ServerResponse response, Supplier<Optional<CacheResponse>> report) {
    WriteReport write = new WriteReport(response, report);
    response.streamFilter(out -> write.new Filter(out));
    response.beforeSend(write::beforeSend);
  }

  private Optional<CacheResponse> outcome() {
    if (instead == null) {
      instead = report.get();
    }
    return instead;
  }

  private void beforeSend() {
    outcome().ifPresent(r -> replaceHead(r, r.body().size()));
  }

  /** The status and fields of {@code r}, with {@code length}, in place of the handler's. */
  private void replaceHead(CacheResponse r, long length) {
    ServerResponseHeaders headers = response.headers();
    Optional<String> encoding = headers.first(HeaderNames.CONTENT_ENCODING);
    headers.clear();
    r.headers().forEach((name, value) -> headers.add(HeaderValues.create(name, value)));
    // an encoding Helidon applies stays: the bytes pass through its encoder, of a length not known yet
    encoding.ifPresentOrElse(e -> headers.set(HeaderValues.create(HeaderNames.CONTENT_ENCODING, e)),
        () -> headers.set(HeaderValues.create(HeaderNames.CONTENT_LENGTH, Long.toString(length))));
    response.status(Status.create(r.status()));
  }

  /** The stream the handler writes to: reports before its first byte, and drops it all once replaced. */
  private final class Filter extends OutputStream {
    private final OutputStream delegate;
    /** The length Helidon fixed when the stream was made, from the handler's own header; -1 when none. */
    private final long declaredLength;
    private boolean replaced;

    Filter(OutputStream delegate) {
      this.delegate = delegate;
      this.declaredLength = response.headers().contentLength().orElse(-1);
    }

    @Override
    public void write(int b) throws IOException {
      write(new byte[] {(byte) b}, 0, 1);
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
      check();
      if (!replaced) {
        delegate.write(b, off, len);
      }
    }

    @Override
    public void flush() throws IOException {
      check();
      if (!replaced) {
        delegate.flush();
      }
    }

    @Override
    public void close() throws IOException {
      check();
      if (!replaced) {
        delegate.close();
      }
    }

    private void check() throws IOException {
      if (replaced) {
        return;
      }
      Optional<CacheResponse> r = outcome();
      if (r.isPresent()) {
        replaced = true;
        send(r.get());
      }
    }

    /**
     * Sends {@code r} through the response's own stream. Its length must be the one Helidon fixed
     * when the handler declared one, so its text is cut, or padded with spaces, to fit.
     */
    private void send(CacheResponse r) throws IOException {
      byte[] body = r.body().toByteArray();
      long length = declaredLength >= 0 ? declaredLength : body.length;
      replaceHead(r, length);
      try {
        delegate.write(body, 0, (int) Math.min(body.length, length));
        byte[] spaces = new byte[8192];
        Arrays.fill(spaces, (byte) ' ');
        for (long left = length - body.length; left > 0; left -= spaces.length) {
          delegate.write(spaces, 0, (int) Math.min(left, spaces.length));
        }
      } finally {
        delegate.close();
      }
    }
  }
}
