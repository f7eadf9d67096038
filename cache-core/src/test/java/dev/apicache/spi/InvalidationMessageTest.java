package dev.apicache.spi;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.quicktheories.QuickTheory;
import org.quicktheories.generators.SourceDSL;

/** The one text format every bus sends: both kinds, and acknowledgements, read back as written. */
class InvalidationMessageTest {
  @Test
  void aConfirmedMessage_readsBackItsPublisherSequenceAndPartitions() {
    InvalidationMessage m = InvalidationMessage.parse(InvalidationMessage.confirmed("a1b2", 42, List.of("p1", "p:x")));
    assertEquals(new InvalidationMessage.Confirmed("a1b2", 42, List.of("p1", "p:x")), m);
  }

  @Test
  void aPlainMessage_orOneWithABrokenHeader_wantsNoAcknowledgement() {
    assertEquals(new InvalidationMessage.Plain(List.of("products", "users")),
        InvalidationMessage.parse(InvalidationMessage.plain(List.of("products", "users"))));
    assertInstanceOf(InvalidationMessage.Plain.class,
        InvalidationMessage.parse(InvalidationMessage.HEADER + "node notanumber\nproducts"));
    assertEquals(Optional.empty(), InvalidationMessage.parseAck("node notanumber"));
  }

  @Test
  void anyPartitionsAndSequence_roundTrip() {
    QuickTheory.qt().forAll(SourceDSL.lists().of(SourceDSL.strings().basicLatinAlphabet().ofLengthBetween(1, 12)
            .assuming(s -> !s.contains("\n") && !s.startsWith("\u0000"))).ofSizeBetween(1, 5),
        SourceDSL.longs().between(0, Long.MAX_VALUE))
        .check((parts, seq) -> InvalidationMessage.parse(InvalidationMessage.confirmed("node", seq, parts))
            .equals(new InvalidationMessage.Confirmed("node", seq, parts))
            && InvalidationMessage.parse(InvalidationMessage.plain(parts)).partitions().equals(parts)
            && InvalidationMessage.parseAck(InvalidationMessage.ack("node", seq))
                .equals(Optional.of(new InvalidationMessage.Ack("node", seq))));
  }
}
