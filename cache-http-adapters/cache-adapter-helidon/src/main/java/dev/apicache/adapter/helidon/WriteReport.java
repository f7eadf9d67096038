package dev.apicache.adapter.helidon;

import dev.apicache.CacheResponse;
import io.helidon.http.HeaderNames;
import io.helidon.http.HeaderValues;
import io.helidon.http.ServerResponseHeaders;
import io.helidon.http.Status;
import io.helidon.webserver.http.ServerResponse;
import java.io.IOException;
import java.io.OutputStream;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * An unsafe request's response on Helidon, reported just before its first byte can leave, when the
 * status and headers are final and nothing is sent. Helidon runs {@code beforeSend} listeners when
 * the response's stream is made, before it fixes the response's length from the headers: that is
 * where the write is reported, and where, when the report returns a response, that one's status
 * and fields (its length among them) replace the handler's. A stream filter then sends that
 * response's body in place of what the handler writes, which it drops. Nothing is held, so no size
 * limit is added.
 */
final class WriteReport {
  private final ServerResponse response;
  private final Supplier<Optional<CacheResponse>> report;
  /** What the report returned; one request's thread at a time. */
  private Optional<CacheResponse> instead = Optional.empty();
  private boolean reported;
  private boolean headReplaced;

  private WriteReport(ServerResponse response, Supplier<Optional<CacheResponse>> report) {
    this.response = response;
    this.report = report;
  }

  /** Reports {@code response}'s write through {@code report} before it sends anything. */
  static void install(ServerResponse response, Supplier<Optional<CacheResponse>> report) {
    WriteReport write = new WriteReport(response, report);
    response.beforeSend(write::replaceHeadIfReplaced);
    response.streamFilter(out -> write.new Filter(out));
  }

  private Optional<CacheResponse> outcome() {
    if (!reported) {
      instead = report.get();
      reported = true;
    }
    return instead;
  }

  /** The status and fields of the response that replaces the handler's, when the report returned one. */
  private void replaceHeadIfReplaced() {
    Optional<CacheResponse> r = outcome();
    if (r.isEmpty() || headReplaced || response.isSent()) {
      return;
    }
    headReplaced = true;
    CacheResponse replacement = r.get();
    ServerResponseHeaders headers = response.headers();
    Optional<String> encoding = headers.first(HeaderNames.CONTENT_ENCODING);
    headers.clear();
    replacement.headers().forEach((name, value) -> headers.add(HeaderValues.create(name, value)));
    // an encoding Helidon applies stays: the bytes pass through its encoder, of a length not known yet
    String length = Integer.toString(replacement.body().size());
    encoding.ifPresentOrElse(e -> headers.set(HeaderValues.create(HeaderNames.CONTENT_ENCODING, e)),
        () -> headers.set(HeaderValues.create(HeaderNames.CONTENT_LENGTH, length)));
    response.status(Status.create(replacement.status()));
  }

  /** The stream the handler writes to: once the write is replaced, the replacement's body instead. */
  private final class Filter extends OutputStream {
    private final OutputStream delegate;
    private boolean replaced;

    Filter(OutputStream delegate) {
      this.delegate = delegate;
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
        replaceHeadIfReplaced();
        try {
          r.get().body().writeTo(delegate);
        } finally {
          delegate.close();
        }
      }
    }
  }
}
