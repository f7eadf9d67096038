package dev.apicache.adapter.servlet;

import dev.apicache.CacheResponse;
import jakarta.servlet.ServletOutputStream;
import jakarta.servlet.WriteListener;
import jakarta.servlet.http.HttpServletResponse;
import jakarta.servlet.http.HttpServletResponseWrapper;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;

/**
 * Runs a hook once, just before the first byte of the response can reach the client: before the
 * first write, flush, error or redirect, or when the application is done without any. The status
 * and headers are final by then and nothing is sent yet, which is the moment a write's
 * invalidation belongs: a client that sees its write succeed can never read old data afterwards.
 * When the hook returns a response, that one is sent instead and what the application writes
 * after is dropped. Nothing is held, so no size limit is added. Uses only Servlet 6.0 methods.
 */
final class CommitHookResponse extends HttpServletResponseWrapper {
  private final Supplier<Optional<CacheResponse>> hook;
  private final AtomicBoolean fired = new AtomicBoolean();
  /** Set once the hook's response went out instead: the application's own is dropped from then on. */
  private volatile boolean replaced;
  private @Nullable ServletOutputStream stream;
  private @Nullable PrintWriter writer;

  CommitHookResponse(HttpServletResponse real, Supplier<Optional<CacheResponse>> hook) {
    super(real);
    this.hook = hook;
  }

  /** Runs the hook unless it already ran; idempotent and thread-safe. */
  void fire() {
    if (fired.compareAndSet(false, true)) {
      Optional<CacheResponse> instead = hook.get();
      if (instead.isPresent()) {
        replaceWith(instead.get());
      }
    }
  }

  /** Sends {@code instead} in place of the application's response, which has sent nothing yet. */
  private void replaceWith(CacheResponse instead) {
    replaced = true;
    HttpServletResponse real = (HttpServletResponse) getResponse();
    if (real.isCommitted()) {
      return; // not on this path: the hook runs before the first byte can leave
    }
    try {
      real.reset();
      real.setStatus(instead.status());
      instead.headers().forEach(real::addHeader);
      real.setContentLength(instead.body().size());
      if (writer != null) {
        // the application holds the writer, and a container need not hand out the stream after it
        real.getWriter().write(instead.body().utf8());
        real.getWriter().flush();
      } else {
        instead.body().writeTo(real.getOutputStream());
        real.flushBuffer();
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Override
  public ServletOutputStream getOutputStream() throws IOException {
    if (stream == null) {
      ServletOutputStream real = super.getOutputStream();
      stream = new ServletOutputStream() {
        @Override
        public void write(int b) throws IOException {
          fire();
          if (!replaced) {
            real.write(b);
          }
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
          fire();
          if (!replaced) {
            real.write(b, off, len);
          }
        }

        @Override
        public void flush() throws IOException {
          fire();
          if (!replaced) {
            real.flush();
          }
        }

        @Override
        public void close() throws IOException {
          fire();
          if (!replaced) {
            real.close();
          }
        }

        @Override
        public boolean isReady() {
          return real.isReady();
        }

        @Override
        public void setWriteListener(WriteListener listener) {
          real.setWriteListener(listener);
        }
      };
    }
    return stream;
  }

  @Override
  public PrintWriter getWriter() throws IOException {
    if (writer == null) {
      PrintWriter real = super.getWriter();
      writer = new PrintWriter(real) {
        @Override
        public void write(int c) {
          fire();
          if (!replaced) {
            super.write(c);
          }
        }

        @Override
        public void write(char[] buf, int off, int len) {
          fire();
          if (!replaced) {
            super.write(buf, off, len);
          }
        }

        @Override
        public void write(String s, int off, int len) {
          fire();
          if (!replaced) {
            super.write(s, off, len);
          }
        }

        @Override
        public void flush() {
          fire();
          if (!replaced) {
            super.flush();
          }
        }

        @Override
        public void close() {
          fire();
          if (!replaced) {
            super.close();
          }
        }
      };
    }
    return writer;
  }

  @Override
  public void flushBuffer() throws IOException {
    fire();
    if (!replaced) {
      super.flushBuffer();
    }
  }

  @Override
  public void sendError(int sc, String msg) throws IOException {
    setStatus(sc);
    fire();
    if (!replaced) {
      super.sendError(sc, msg);
    }
  }

  @Override
  public void sendError(int sc) throws IOException {
    setStatus(sc);
    fire();
    if (!replaced) {
      super.sendError(sc);
    }
  }

  @Override
  public void sendRedirect(String location) throws IOException {
    setStatus(SC_FOUND);
    setHeader("Location", location);
    fire();
    if (!replaced) {
      super.sendRedirect(location);
    }
  }
}
