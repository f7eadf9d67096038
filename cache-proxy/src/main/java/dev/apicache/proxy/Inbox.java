package dev.apicache.proxy;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.util.ReferenceCountUtil;
import java.io.IOException;
import java.net.SocketTimeoutException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import org.jspecify.annotations.Nullable;

/**
 * The parts of one message as they arrive on a channel's event loop, for one blocking reader on
 * another thread, with back-pressure: past {@value #HIGH} queued bytes the channel stops reading
 * until the reader has taken the queue below {@value #LOW}.
 *
 * <p>The loop {@linkplain #add adds} parts and {@linkplain #publish publishes} them when its read
 * completes, so a reader sees at once everything one read decoded: a part missing after a publish
 * is one the network has not delivered yet, which is how a reader tells a stream that pauses from
 * a body still being parsed.
 */
final class Inbox {
  static final int HIGH = 256 * 1024;
  static final int LOW = 64 * 1024;

  /** The message's end, with its trailer fields (empty for most). */
  record End(io.netty.handler.codec.http.HttpHeaders trailers) {}

  /** The message broke off: the peer closed, timed out or sent something malformed. */
  record Broken(IOException cause) {}

  private final Channel source;
  private final ReentrantLock lock = new ReentrantLock();
  private final Condition arrived = lock.newCondition();
  private final ArrayDeque<Object> items = new ArrayDeque<>();
  private final List<Object> batch = new ArrayList<>(); // the event loop's own
  private long queuedBytes;
  private boolean paused;
  private boolean abandoned;
  private boolean finished;

  Inbox(Channel source) {
    this.source = source;
  }

  /** Adds a part (a head, a retained {@link ByteBuf}, {@link End} or {@link Broken}); event loop only. */
  void add(Object part) {
    batch.add(part);
    if (part instanceof End || part instanceof Broken) {
      publish();
    }
  }

  /** Hands the parts added since the last publish to the reader; event loop only. */
  void publish() {
    if (batch.isEmpty()) {
      return;
    }
    lock.lock();
    try {
      if (abandoned || finished) {
        batch.forEach(ReferenceCountUtil::safeRelease);
      } else {
        for (Object part : batch) {
          if (part instanceof ByteBuf b) {
            queuedBytes += b.readableBytes();
          }
          if (part instanceof End || part instanceof Broken) {
            finished = true;
          }
          items.add(part);
        }
        if (queuedBytes > HIGH && !paused) {
          paused = true;
          source.config().setAutoRead(false);
        }
        arrived.signalAll();
      }
    } finally {
      lock.unlock();
      batch.clear();
    }
  }

  /**
   * The next part, waiting up to {@code timeoutNanos} for it.
   *
   * @throws SocketTimeoutException when none arrived in time
   */
  Object take(long timeoutNanos) throws InterruptedException, SocketTimeoutException {
    lock.lock();
    try {
      long left = timeoutNanos;
      while (items.isEmpty()) {
        if (left <= 0) {
          throw new SocketTimeoutException("no data within " + TimeUnit.NANOSECONDS.toMillis(timeoutNanos) + " ms");
        }
        left = arrived.awaitNanos(left);
      }
      return taken(items.poll());
    } finally {
      lock.unlock();
    }
  }

  /** The next part if one has arrived, else null, without waiting. */
  @Nullable Object poll() {
    lock.lock();
    try {
      return items.isEmpty() ? null : taken(items.poll());
    } finally {
      lock.unlock();
    }
  }

  private Object taken(Object part) {
    if (part instanceof ByteBuf b) {
      queuedBytes -= b.readableBytes();
      if (paused && queuedBytes < LOW) {
        paused = false;
        source.config().setAutoRead(true);
      }
    }
    return part;
  }

  /** The reader is done: parts queued or still to come are released, and reading resumes. */
  void abandon() {
    lock.lock();
    try {
      abandoned = true;
      items.forEach(ReferenceCountUtil::safeRelease);
      items.clear();
      queuedBytes = 0;
      if (paused) {
        paused = false;
        source.config().setAutoRead(true);
      }
    } finally {
      lock.unlock();
    }
  }

  /** Whether the message's end (or its breaking off) has been published. */
  boolean finished() {
    lock.lock();
    try {
      return finished;
    } finally {
      lock.unlock();
    }
  }
}
