package dev.apicache.spi;

import static java.util.Objects.requireNonNull;

import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * An invalidation as buses send it: the partitions whose counters moved and, for a publish that
 * waits for acknowledgements, who published it and under which sequence. One text format for every
 * bus, so that nodes on any store read each other's messages.
 *
 * @param publisher the publishing node's id, or null when no acknowledgement is wanted
 * @param sequence the publisher's sequence for this message; -1 when no acknowledgement is wanted
 * @param partitions the partitions to drop
 *
 * @since 0.1
 */
public record InvalidationMessage(@Nullable String publisher, long sequence, List<String> partitions) {
  /** Starts a confirmed message's header line; no partition name starts with it. */
  private static final String HEADER = "\u0000inv ";

  /** Requires the partitions; copies them. */
  public InvalidationMessage {
    partitions = List.copyOf(requireNonNull(partitions, "partitions"));
  }

  /** A message that asks for no acknowledgement: the partitions, one per line. */
  public static String plain(Collection<String> partitions) {
    return String.join("\n", partitions);
  }

  /** A message {@code publisher} wants acknowledged with {@code sequence}. */
  public static String confirmed(String publisher, long sequence, Collection<String> partitions) {
    return HEADER + publisher + " " + sequence + "\n" + String.join("\n", partitions);
  }

  /** Reads either kind; a plain message has no publisher. */
  public static InvalidationMessage parse(String text) {
    if (!text.startsWith(HEADER)) {
      return new InvalidationMessage(null, -1, Arrays.asList(text.split("\n")));
    }
    int end = text.indexOf('\n');
    String[] header = text.substring(HEADER.length(), end < 0 ? text.length() : end).split(" ");
    List<String> partitions = end < 0 ? List.of() : Arrays.asList(text.substring(end + 1).split("\n"));
    return header.length == 2 ? new InvalidationMessage(header[0], parseSequence(header[1]), partitions)
        : new InvalidationMessage(null, -1, partitions);
  }

  /** True when the publisher waits for an acknowledgement. */
  public boolean wantsAck() {
    return publisher != null && sequence >= 0;
  }

  /** A sequence number as sent in messages and acknowledgements; -1 for anything else. */
  public static long parseSequence(String text) {
    try {
      return Long.parseLong(text.trim());
    } catch (NumberFormatException e) {
      return -1;
    }
  }
}
