package dev.apicache;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.apicache.http.EntityTag;
import java.io.ByteArrayInputStream;
import java.net.http.HttpTimeoutException;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * {@link FillDecision}, the reply once an origin call ended, as a table: each outcome, with and
 * without a stale-if-error copy and a copy servable while the origin is unreachable.
 */
class FillDecisionTest {
  private static final StoredEntry FALLBACK = entry(200, "fallback");
  private static final StoredEntry DISCONNECTED = entry(200, "disconnected");
  private static final StoredEntry FILLED = entry(200, "filled");

  private static StoredEntry entry(int status, String body) {
    return new StoredEntry(status, Headers.of("Content-Type", "text/plain"), Bytes.utf8(body),
        EntityTag.strong("t-" + body), 0, 60_000, 30_000, 600_000, List.of());
  }

  private static CacheResponse answer(int status) {
    return CacheResponse.builder(status).body("answer " + status).build();
  }

  private static final CacheResponse STREAMED = CacheResponse.sent(200, Headers.empty());
  private static final CacheResponse PASSING = CacheResponse.streaming(200, Headers.empty(),
      new ByteArrayInputStream(new byte[0]));
  private static final CacheResponse SERVER_ERROR = answer(503);
  private static final CacheResponse OK = answer(200);
  private static final CacheResponse COOKIE = answer(200);

  private record Row(String name, Outcome outcome, Optional<StoredEntry> fallback, Optional<StoredEntry> disconnected,
      FillDecision expected) {}

  private static final List<Row> TABLE = List.of(
      new Row("a response already streaming passes on, whatever is stored",
          Outcome.uncacheable(STREAMED, "streamed"), Optional.of(FALLBACK), Optional.of(DISCONNECTED),
          new FillDecision.PassOn(STREAMED)),
      new Row("a thrown call with a stale-if-error copy serves it, with the gateway status",
          Outcome.failed(new IllegalStateException("refused")), Optional.of(FALLBACK), Optional.of(DISCONNECTED),
          new FillDecision.ServeStale(FALLBACK, 502, "stale-if-error", Optional.empty())),
      new Row("a timeout forwards as 504",
          Outcome.failed(new HttpTimeoutException("slow")), Optional.of(FALLBACK), Optional.empty(),
          new FillDecision.ServeStale(FALLBACK, 504, "stale-if-error", Optional.empty())),
      new Row("a thrown call without stale-if-error serves the copy a disconnected cache may",
          Outcome.failed(new IllegalStateException("refused")), Optional.empty(), Optional.of(DISCONNECTED),
          new FillDecision.ServeStale(DISCONNECTED, 502, "stale-origin-unreachable", Optional.empty())),
      new Row("a thrown call with nothing stored is a gateway error",
          Outcome.failed(new IllegalStateException("refused")), Optional.empty(), Optional.empty(),
          new FillDecision.Unreachable(502)),
      new Row("a 5xx answer with a stale-if-error copy is replaced, and the answer never sent",
          Outcome.uncacheable(SERVER_ERROR, "status"), Optional.of(FALLBACK), Optional.of(DISCONNECTED),
          new FillDecision.ServeStale(FALLBACK, 503, "stale-if-error", Optional.of(SERVER_ERROR))),
      new Row("a 5xx answer is an answer: the origin was reached, so no disconnected copy",
          Outcome.uncacheable(SERVER_ERROR, "status"), Optional.empty(), Optional.of(DISCONNECTED),
          new FillDecision.Uncached(SERVER_ERROR, Optional.of("status"))),
      new Row("a filled answer is served as its entry, stored or not",
          Outcome.filled(OK, FILLED, true, Headers.empty()), Optional.of(FALLBACK), Optional.empty(),
          new FillDecision.Fresh(FILLED, 200, true)),
      new Row("a peer's entry is served as an entry this node did not store",
          Outcome.fromPeer(FILLED), Optional.empty(), Optional.empty(),
          new FillDecision.Fresh(FILLED, 200, false)),
      new Row("an answer it may not keep goes as it came, with the reason",
          Outcome.uncacheable(COOKIE, "set-cookie"), Optional.of(FALLBACK), Optional.of(DISCONNECTED),
          new FillDecision.Uncached(COOKIE, Optional.of("set-cookie"))),
      new Row("an answer copied into the store as it streams goes on without a reason",
          Outcome.streamedOn(PASSING), Optional.empty(), Optional.empty(),
          new FillDecision.Uncached(PASSING, Optional.empty())));

  @Test
  void everyOutcome_getsTheReplyTheTableGives() {
    for (Row row : TABLE) {
      assertEquals(row.expected(), FillDecision.decide(row.outcome(), row.fallback(), row.disconnected()), row.name());
    }
  }
}
