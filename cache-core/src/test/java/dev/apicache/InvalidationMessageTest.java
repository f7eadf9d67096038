package dev.apicache;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.apicache.spi.InvalidationMessage;
import java.util.List;
import org.quicktheories.QuickTheory;
import org.quicktheories.generators.SourceDSL;
import org.junit.jupiter.api.Test;

/** The one text format every bus sends: both kinds read back as written. */
class InvalidationMessageTest {
  @Test
  void aConfirmedMessage_readsBackItsPublisherSequenceAndPartitions() {
    InvalidationMessage m = InvalidationMessage.parse(InvalidationMessage.confirmed("a1b2", 42, List.of("p1", "p:x")));
    assertTrue(m.wantsAck());
    assertEquals("a1b2", m.publisher());
    assertEquals(42, m.sequence());
    assertEquals(List.of("p1", "p:x"), m.partitions());
  }

  @Test
  void aPlainMessage_wantsNoAcknowledgement() {
    InvalidationMessage m = InvalidationMessage.parse(InvalidationMessage.plain(List.of("products", "users")));
    assertFalse(m.wantsAck());
    assertNull(m.publisher());
    assertEquals(List.of("products", "users"), m.partitions());
    assertEquals(-1, InvalidationMessage.parseSequence("not a number"));
  }

  @Test
  void anyPartitionsAndSequence_roundTrip() {
    QuickTheory.qt().forAll(SourceDSL.lists().of(SourceDSL.strings().basicLatinAlphabet().ofLengthBetween(1, 12)
            .assuming(s -> !s.contains("\n") && !s.startsWith("\u0000"))).ofSizeBetween(1, 5),
        SourceDSL.longs().between(0, Long.MAX_VALUE))
        .check((parts, seq) -> {
          InvalidationMessage m = InvalidationMessage.parse(InvalidationMessage.confirmed("node", seq, parts));
          return m.sequence() == seq && m.partitions().equals(parts)
              && InvalidationMessage.parse(InvalidationMessage.plain(parts)).partitions().equals(parts);
        });
  }
}
