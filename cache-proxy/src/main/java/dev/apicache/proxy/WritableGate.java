package dev.apicache.proxy;

import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import java.io.IOException;
import java.nio.channels.ClosedChannelException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Lets a thread that writes to a channel wait while the channel's outbound buffer is above its
 * high-water mark, so a slow peer slows the writer instead of filling the heap.
 */
final class WritableGate extends ChannelInboundHandlerAdapter {
  private final ReentrantLock lock = new ReentrantLock();
  private final Condition changed = lock.newCondition();

  /** The gate in {@code channel}'s pipeline. */
  static WritableGate of(Channel channel) {
    return channel.pipeline().get(WritableGate.class);
  }

  /**
   * Waits until {@code channel} takes writes again, or up to {@code timeoutNanos}.
   *
   * @throws ClosedChannelException when the channel closes first
   * @throws IOException when the peer reads nothing for {@code timeoutNanos}
   */
  void await(Channel channel, long timeoutNanos) throws IOException, InterruptedException {
    if (channel.isWritable()) {
      return;
    }
    lock.lock();
    try {
      long left = timeoutNanos;
      while (!channel.isWritable()) {
        if (!channel.isActive()) {
          throw new ClosedChannelException();
        }
        if (left <= 0) {
          throw new IOException("the peer read nothing for " + TimeUnit.NANOSECONDS.toSeconds(timeoutNanos) + " s");
        }
        // bounded, so a change signalled between the check and the wait costs at most this long
        left -= TimeUnit.MILLISECONDS.toNanos(100) - changed.awaitNanos(TimeUnit.MILLISECONDS.toNanos(100));
      }
    } finally {
      lock.unlock();
    }
  }

  @Override
  public void channelWritabilityChanged(ChannelHandlerContext ctx) throws Exception {
    signal();
    super.channelWritabilityChanged(ctx);
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) throws Exception {
    signal();
    super.channelInactive(ctx);
  }

  private void signal() {
    lock.lock();
    try {
      changed.signalAll();
    } finally {
      lock.unlock();
    }
  }
}
