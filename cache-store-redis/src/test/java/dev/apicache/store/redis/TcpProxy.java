package dev.apicache.store.redis;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * A loopback TCP proxy between a client and a server that a test can make misbehave: in blackhole
 * mode it stops moving bytes while connections stay open, as a partitioned network does (TCP keeps
 * what was sent and delivers it when the path heals); a delay slows every chunk down.
 */
final class TcpProxy implements AutoCloseable {
  private final ServerSocket server;
  private final int targetPort;
  private final ExecutorService threads = Executors.newCachedThreadPool(r -> {
    Thread t = new Thread(r, "tcp-proxy");
    t.setDaemon(true);
    return t;
  });
  private final List<Socket> sockets = new CopyOnWriteArrayList<>();
  private final Object gate = new Object();
  private volatile boolean blackhole;
  private volatile long delayMillis;

  TcpProxy(int targetPort) throws IOException {
    this.targetPort = targetPort;
    this.server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
    threads.execute(this::acceptLoop);
  }

  int port() {
    return server.getLocalPort();
  }

  String uri() {
    return "redis://127.0.0.1:" + port();
  }

  /** Holds all traffic (true) or lets it flow again, held bytes first (false). */
  void blackhole(boolean on) {
    synchronized (gate) {
      blackhole = on;
      gate.notifyAll();
    }
  }

  /** Delays every chunk in both directions by {@code millis}. */
  void delay(long millis) {
    delayMillis = millis;
  }

  private void acceptLoop() {
    while (!server.isClosed()) {
      try {
        Socket client = server.accept();
        Socket upstream = new Socket(InetAddress.getLoopbackAddress(), targetPort);
        sockets.add(client);
        sockets.add(upstream);
        threads.execute(() -> pump(client, upstream));
        threads.execute(() -> pump(upstream, client));
      } catch (IOException e) {
        return;
      }
    }
  }

  private void pump(Socket from, Socket to) {
    byte[] buffer = new byte[16 * 1024];
    try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream()) {
      int n;
      while ((n = in.read(buffer)) >= 0) {
        synchronized (gate) {
          while (blackhole) {
            gate.wait();
          }
        }
        if (delayMillis > 0) {
          Thread.sleep(delayMillis); // the injected network latency itself
        }
        out.write(buffer, 0, n);
        out.flush();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (IOException closed) {
      // either side went away: the other pump ends too
    } finally {
      closeQuietly(from);
      closeQuietly(to);
    }
  }

  private static void closeQuietly(Socket s) {
    try {
      s.close();
    } catch (IOException ignored) {
      // closing anyway
    }
  }

  @Override
  public void close() throws IOException {
    server.close();
    sockets.forEach(TcpProxy::closeQuietly);
    threads.shutdownNow();
  }
}
