package dev.apicache.adapter.servlet;

import jakarta.servlet.ServletOutputStream;
import jakarta.servlet.WriteListener;
import jakarta.servlet.http.HttpServletResponse;
import jakarta.servlet.http.HttpServletResponseWrapper;
import java.io.IOException;
import java.io.PrintWriter;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Runs a hook once, just before the first byte of the response can reach the client: before the
 * first write, flush, error or redirect, or when the application is done without any. The status
 * and headers are final by then and nothing is sent yet, which is the moment a write's
 * invalidation belongs: a client that sees its write succeed can never read old data afterwards.
 * Nothing is held, so no size limit is added. Uses only Servlet 6.0 methods.
 */
final class CommitHookResponse extends HttpServletResponseWrapper {
  private final Runnable hook;
  private final AtomicBoolean fired = new AtomicBoolean();
  private ServletOutputStream stream;
  private PrintWriter writer;

  CommitHookResponse(HttpServletResponse real, Runnable hook) {
    super(real);
    this.hook = hook;
  }

  /** Runs the hook unless it already ran; idempotent and thread-safe. */
  void fire() {
    if (fired.compareAndSet(false, true)) {
      hook.run();
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
          real.write(b);
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
          fire();
          real.write(b, off, len);
        }

        @Override
        public void flush() throws IOException {
          fire();
          real.flush();
        }

        @Override
        public void close() throws IOException {
          fire();
          real.close();
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
          super.write(c);
        }

        @Override
        public void write(char[] buf, int off, int len) {
          fire();
          super.write(buf, off, len);
        }

        @Override
        public void write(String s, int off, int len) {
          fire();
          super.write(s, off, len);
        }

        @Override
        public void flush() {
          fire();
          super.flush();
        }

        @Override
        public void close() {
          fire();
          super.close();
        }
      };
    }
    return writer;
  }

  @Override
  public void flushBuffer() throws IOException {
    fire();
    super.flushBuffer();
  }

  @Override
  public void sendError(int sc, String msg) throws IOException {
    setStatus(sc);
    fire();
    super.sendError(sc, msg);
  }

  @Override
  public void sendError(int sc) throws IOException {
    setStatus(sc);
    fire();
    super.sendError(sc);
  }

  @Override
  public void sendRedirect(String location) throws IOException {
    setStatus(SC_FOUND);
    setHeader("Location", location);
    fire();
    super.sendRedirect(location);
  }
}
