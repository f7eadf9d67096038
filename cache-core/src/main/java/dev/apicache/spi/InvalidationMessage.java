package dev.apicache.spi;

import static java.util.Objects.requireNonNull;

import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import java.util.Optional;

/**
 * An invalidation as buses send it, one text format for every transport so that nodes on any store
 * read each other's messages: a plain one, or a confirmed one naming its publisher and sequence.
 */
sealed interface InvalidationMessage {
  /** Starts a confirmed message's header line; no partition name starts with it. */
  String HEADER = "\u0000inv ";

  /** The partitions whose counters moved. */
  List<String> partitions();

  /** A message that asks for no acknowledgement. */
  record Plain(List<String> partitions) implements InvalidationMessage {
    public Plain {
      partitions = List.copyOf(requireNonNull(partitions, "partitions"));
    }
  }

  /** A message its publisher waits on, acknowledged with its sequence. */
  record Confirmed(String publisher, long sequence, List<String> partitions) implements InvalidationMessage {
    public Confirmed {
      requireNonNull(publisher, "publisher");
      partitions = List.copyOf(requireNonNull(partitions, "partitions"));
    }
  }

  /** An acknowledgement: {@code node} applied the message with {@code sequence}. */
  record Ack(String node, long sequence) {}

  /** The partitions, one per line. */
  static String plain(Collection<String> partitions) {
    return String.join("\n", partitions);
  }

  /** A header line naming the publisher and sequence, then the partitions. */
  static String confirmed(String publisher, long sequence, Collection<String> partitions) {
    return HEADER + publisher + " " + sequence + "\n" + String.join("\n", partitions);
  }

  /** Reads either kind; a malformed header reads as a plain message, which is safe: nobody waits on it. */
  static InvalidationMessage parse(String text) {
    if (!text.startsWith(HEADER)) {
      return new Plain(Arrays.asList(text.split("\n")));
    }
    int end = text.indexOf('\n');
    String[] header = text.substring(HEADER.length(), end < 0 ? text.length() : end).split(" ");
    List<String> partitions = end < 0 ? List.of() : Arrays.asList(text.substring(end + 1).split("\n"));
    long sequence = header.length == 2 ? parseSequence(header[1]) : -1;
    return sequence >= 0 ? new Confirmed(header[0], sequence, partitions) : new Plain(partitions);
  }

  /** {@code node sequence}. */
  static String ack(String node, long sequence) {
    return node + " " + sequence;
  }

  /** An acknowledgement as {@link #ack} wrote it; empty for anything else. */
  static Optional<Ack> parseAck(String text) {
    String[] parts = text.trim().split(" ");
    long sequence = parts.length == 2 ? parseSequence(parts[1]) : -1;
    return sequence >= 0 ? Optional.of(new Ack(parts[0], sequence)) : Optional.empty();
  }

  private static long parseSequence(String text) {
    try {
      return Long.parseLong(text.trim());
    } catch (NumberFormatException e) {
      return -1;
    }
  }
}
