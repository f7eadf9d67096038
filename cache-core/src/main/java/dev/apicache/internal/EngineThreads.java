package dev.apicache.internal;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/** The executors the engine owns. */
public final class EngineThreads {
  private EngineThreads() {}

  /**
   * Virtual threads where the JDK has them (21+; core compiles for 17, hence the lookup), otherwise a
   * small pool of daemon threads that grows with demand and shrinks when idle.
   */
  public static ExecutorService background(String name) {
    try {
      Object executor = MethodHandles.publicLookup()
          .findStatic(Executors.class, "newVirtualThreadPerTaskExecutor",
              MethodType.methodType(ExecutorService.class))
          .invoke();
      return (ExecutorService) executor;
    } catch (Throwable noVirtualThreads) {
      ThreadPoolExecutor pool = new ThreadPoolExecutor(4, 4, 30, TimeUnit.SECONDS, new LinkedBlockingQueue<>(),
          daemons(name));
      pool.allowCoreThreadTimeOut(true);
      return pool;
    }
  }

  /**
   * A bounded pool for time-limited store calls: a store that hangs can hold at most {@code threads}
   * threads and {@code queue} waiting calls; past that, calls are refused at once (and fail open).
   */
  public static ThreadPoolExecutor bounded(String name, int threads, int queue) {
    ThreadPoolExecutor pool = new ThreadPoolExecutor(threads, threads, 30, TimeUnit.SECONDS,
        new LinkedBlockingQueue<>(queue), daemons(name), new ThreadPoolExecutor.AbortPolicy());
    pool.allowCoreThreadTimeOut(true);
    return pool;
  }

  private static ThreadFactory daemons(String name) {
    AtomicInteger n = new AtomicInteger();
    return r -> {
      Thread t = new Thread(r, name + "-" + n.incrementAndGet());
      t.setDaemon(true);
      return t;
    };
  }
}
