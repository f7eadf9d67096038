package dev.apicache;

import dev.apicache.http.CacheControl;
import dev.apicache.http.EntityTag;
import dev.apicache.http.HeaderNames;
import dev.apicache.spi.EntryMemo;
import dev.apicache.spi.Fence;
import dev.apicache.spi.Watched;
import java.io.InputStream;
import java.time.Duration;
import java.time.InstantSource;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;

/** Calls the origin for a cacheable request, and turns what it answered into an entry and stores it. */
final class OriginCalls {
  private static final System.Logger LOG = System.getLogger("dev.apicache");
  private static final Set<String> HOP_BY_HOP = Set.of("connection", "keep-alive", "transfer-encoding", "upgrade",
      "proxy-connection", "te", "trailer", "content-length");
  /** Fields of the stored body's own encoding and range: a 304 cannot change the bytes it lets us reuse. */
  private static final Set<String> DESCRIBE_STORED_BYTES = Set.of("content-encoding", "content-range");
  /** Set per response by the engine, so never stored. */
  private static final Set<String> PER_RESPONSE = Set.of("age", "cache-control", "etag", "x-cache", "cache-status",
      "expires", "pragma");
  /**
   * Under origin-directed freshness the origin's own directives and entity tag are kept and sent on,
   * and the engine adds no tag of its own.
   */
  private static final Set<String> PER_RESPONSE_ORIGIN_DIRECTED = Set.of("age", "x-cache", "cache-status");

  private static final Duration VALIDATION_WINDOW_MIN = Duration.ofMinutes(1);
  private static final Duration VALIDATION_WINDOW_MAX = Duration.ofDays(1);

  private final GuardedStore store;
  private final InstantSource clock;
  private final DecodedEntries decodedEntries = new DecodedEntries();
  private final AtomicLong lastFailureLog = new AtomicLong(System.nanoTime() - 2_000_000_000L);

  OriginCalls(GuardedStore store, InstantSource clock) {
    this.store = store;
    this.clock = clock;
  }

  /** What the origin is asked: the client's request as a full GET, so the answer can be stored. */
  static CacheRequest originRequest(CacheRequest request) {
    return request.toBuilder()
        .method("GET")
        .removeHeader(HeaderNames.IF_NONE_MATCH)
        .removeHeader(HeaderNames.IF_MODIFIED_SINCE)
        .removeHeader(HeaderNames.IF_MATCH)
        .removeHeader(HeaderNames.IF_UNMODIFIED_SINCE)
        .removeHeader(HeaderNames.IF_RANGE)
        .removeHeader(HeaderNames.RANGE) // the whole response is stored; the client's range is cut from it
        .removeHeader(HeaderNames.ACCEPT_ENCODING)
        .header(HeaderNames.ACCEPT_ENCODING, "identity")
        .build();
  }

  /**
   * {@code asked} validating {@code stored} with the origin (RFC 9111 §4.3.1): {@code If-None-Match}
   * with its entity tag and {@code If-Modified-Since} with its {@code Last-Modified}; {@code asked}
   * itself when there is nothing to validate.
   */
  static CacheRequest withValidators(CacheRequest asked, Optional<StoredEntry> validated) {
    if (validated.isEmpty()) {
      return asked;
    }
    StoredEntry stored = validated.get();
    CacheRequest.Builder b = asked.toBuilder();
    // only the origin's own entity tag: one the engine made up means nothing to the origin
    stored.headers().first(HeaderNames.ETAG).ifPresent(tag -> b.header(HeaderNames.IF_NONE_MATCH, tag));
    stored.headers().first(HeaderNames.LAST_MODIFIED).ifPresent(lm -> b.header(HeaderNames.IF_MODIFIED_SINCE, lm));
    return b.build();
  }

  /**
   * Asks {@code origin} for {@code asked} on behalf of {@code c} and stores the answer under
   * {@code fence}; a 304 to the validators of {@code validated} freshens that entry instead.
   */
  Outcome call(Admission.Cacheable c, CacheRequest asked, Origin origin, Optional<Fence> fence,
      Optional<StoredEntry> validated) {
    long requestTime = clock.millis();
    long started = System.nanoTime();
    CacheResponse response;
    try {
      response = origin.fetch(withValidators(asked, validated));
      if (response == null) {
        throw new IllegalStateException("origin returned null");
      }
    } catch (Exception e) {
      return failed(c, e);
    } finally {
      c.scope.originNanos.add(System.nanoTime() - started);
    }
    return accept(c, response, fence, requestTime, validated);
  }

  /** An origin call that threw: logged at most once a second, with its stack (the 502 alone says too little). */
  Outcome failed(Admission.Cacheable c, Exception e) {
    long now = System.nanoTime();
    long last = lastFailureLog.get();
    if (now - last > 1_000_000_000L && lastFailureLog.compareAndSet(last, now)) {
      LOG.log(System.Logger.Level.WARNING, "apicache origin call for " + c.request.method() + " " + c.request.path()
          + " (policy " + c.policy.id() + ") failed; answering from a stale copy or with 502", e);
    }
    return Outcome.failed(e);
  }

  /**
   * Stores {@code response}, asked for at {@code requestTimeMillis}, when it may be stored and
   * there is a {@code fence} (the fill's snapshot over {@link Admission.Cacheable#fillCounters}).
   */
  Outcome accept(Admission.Cacheable c, CacheResponse response, Optional<Fence> fence, long requestTimeMillis,
      Optional<StoredEntry> validation) {
    if (validation.isPresent() && response.status() == 304) {
      StoredEntry validated = validation.get();
      Optional<Bytes> body = validated.decodedBody();
      if (body.isPresent()) {
        response = freshened(validated, response, body.get());
      }
    }
    Optional<InputStream> stream = response.content() instanceof CacheResponse.Content.Streaming s
        ? Optional.of(s.stream()) : Optional.empty();
    // a streamed body is judged by its head: its bytes are copied as they reach the client
    CacheResponse judged = stream.isEmpty() ? response : CacheResponse.of(response.status(), response.headers(),
        Bytes.empty());
    Optional<String> refused = Storability.reasonNotToStore(c.policy, judged);
    long now = clock.millis();
    Optional<OriginFreshness> fromOrigin = Optional.empty(); // policy-directed: the policy's ttl
    if (refused.isEmpty() && c.policy.originDirected().isPresent()) {
      Optional<OriginFreshness> f = OriginFreshness.of(response.status(), response.headers(),
          Math.min(requestTimeMillis, now), now, c.policy.originDirected().get());
      if (f.isEmpty()) {
        refused = Optional.of("origin-uncacheable");
      } else if (!f.get().isFresh(now, now) && f.get().staleWhileRevalidate().isZero()
          && f.get().staleIfError().isZero() && !hasValidator(response.headers())) {
        // nothing could be served from it, and without a validator it cannot be revalidated either
        refused = Optional.of("stale-on-arrival");
      } else {
        fromOrigin = f;
      }
    }
    if (refused.isEmpty() && stream.isPresent() && fence.isEmpty()) {
      refused = Optional.of("streamed");
    }
    if (refused.isPresent()) {
      c.scope.uncacheable(refused.get());
      return Outcome.uncacheable(response, refused.get());
    }
    if (stream.isPresent()) {
      CacheResponse head = response;
      Optional<OriginFreshness> freshness = fromOrigin;
      InputStream copied = new StoringStream(stream.get(), c.policy.maxBodyBytes(), body -> {
        try {
          store(c, CacheResponse.of(head.status(), head.headers(), body), fence, clock.millis(), freshness);
        } catch (RuntimeException e) {
          LOG.log(System.Logger.Level.WARNING, "apicache could not store the streamed answer to " + c.request.method()
              + " " + c.request.path() + "; the client got it whole", e);
        }
      }, () -> c.scope.uncacheable("too-large"));
      // not shared: requests that waited for this call make their own, or find the stored copy
      return Outcome.streamedOn(CacheResponse.streaming(response.status(), response.headers(), copied));
    }
    Stored s = store(c, response, fence, now, fromOrigin);
    return Outcome.filled(response, s.entry, s.stored, c.request.headers());
  }

  private record Stored(StoredEntry entry, boolean stored) {}

  /** Makes {@code response} an entry and stores it under {@code fence}, when there is one. */
  private Stored store(Admission.Cacheable c, CacheResponse response, Optional<Fence> fence, long now,
      Optional<OriginFreshness> fromOrigin) {
    StoredEntry entry = toEntry(c, response, now, fromOrigin);
    if (fence.isPresent()) {
      // the fill's snapshot: the entry is fenced on its first part and records the soft counters' values
      entry = compressed(c.policy, entry.withMarks(c.marksOf(fence.get()))); // only what is stored is worth compressing
    }
    Optional<Fence> entryFence = fence.map(c::fenceOf);
    Duration retention = retention(entry, fromOrigin);
    List<String> varied = Variants.selecting(c.policy, response.headers());
    boolean stored;
    if (entryFence.isEmpty()) {
      stored = false;
    } else if (varied.isEmpty()) {
      stored = store.put(c.storeKey(), EntryCodec.encode(entry), retention, entryFence.get(), c.scope);
    } else {
      // the variant first: a reader that finds the list finds the variant too
      stored = store.put(Variants.key(c.key, varied, c.request.headers()).storeKey(), EntryCodec.encode(entry),
              retention, entryFence.get(), c.scope)
          && store.put(c.storeKey(), EntryCodec.encodeVariants(varied), retention, entryFence.get(), c.scope);
    }
    if (stored) {
      c.scope.stores.increment();
    }
    return new Stored(entry, stored);
  }

  /** {@code entry} with its body gzip-encoded, when its policy says so and that makes it smaller. */
  private static StoredEntry compressed(CachePolicy policy, StoredEntry entry) {
    Optional<Compression> settings = policy.compression();
    if (settings.isEmpty() || !settings.get().applies(entry.headers(), entry.body().size())) {
      return entry;
    }
    Bytes gzip = Compression.gzip(entry.body());
    return gzip.size() < entry.body().size() ? entry.withGzippedBody(gzip) : entry;
  }

  /** Whether the origin gave {@code headers} something to validate with (RFC 9111 §4.3.1). */
  private static boolean hasValidator(Headers headers) {
    return headers.contains(HeaderNames.ETAG) || headers.contains(HeaderNames.LAST_MODIFIED);
  }

  /**
   * The fields the response's {@code Connection} names (RFC 9110 §7.6.1): meant for this hop only,
   * so never stored or sent on from the cache. Lower case, in a set the caller may add to.
   */
  private static Set<String> connectionOptions(Headers headers) {
    List<String> lines = headers.all(HeaderNames.CONNECTION);
    if (lines.isEmpty()) {
      return new HashSet<>();
    }
    Set<String> out = new HashSet<>();
    for (String line : lines) {
      for (String option : line.split(",")) {
        if (!option.isBlank()) {
          out.add(option.trim().toLowerCase(Locale.ROOT));
        }
      }
    }
    return out;
  }

  /**
   * How long the store keeps {@code entry}: while it may be served, and, under origin-directed
   * freshness, one more lifetime (at least a minute, at most a day) so that a later miss can
   * validate it with the origin instead of fetching it again.
   */
  private static Duration retention(StoredEntry entry, Optional<OriginFreshness> fromOrigin) {
    return fromOrigin.map(origin -> entry.retention().plusMillis(Math.max(VALIDATION_WINDOW_MIN.toMillis(),
        Math.min(VALIDATION_WINDOW_MAX.toMillis(), origin.lifetime().toMillis())))).orElse(entry.retention());
  }

  /**
   * The stored response {@code e} brought up to date by the origin's 304 (RFC 9111 §4.3.4): its
   * body, with each header the 304 carries replacing the stored one; the 304's freshness applies.
   */
  private static CacheResponse freshened(StoredEntry e, CacheResponse notModified, Bytes body) {
    Headers.Builder h = e.headers().toBuilder();
    Set<String> replaced = new HashSet<>();
    notModified.headers().forEach((name, value) -> {
      String lower = name.toLowerCase(Locale.ROOT);
      if (HOP_BY_HOP.contains(lower) || DESCRIBE_STORED_BYTES.contains(lower)) {
        return;
      }
      if (replaced.add(lower)) {
        h.remove(name);
      }
      h.add(name, value);
    });
    return CacheResponse.of(e.status(), h.build(), body);
  }

  private StoredEntry toEntry(Admission.Cacheable c, CacheResponse response, long now,
      Optional<OriginFreshness> fromOrigin) {
    Set<String> perResponse = fromOrigin.isEmpty() ? PER_RESPONSE : PER_RESPONSE_ORIGIN_DIRECTED;
    Set<String> notKept = connectionOptions(response.headers());
    if (fromOrigin.isPresent()) {
      // no-cache="a, b": those fields may not be reused without validation, so they are not kept
      notKept.addAll(response.headers().sharedCacheControl().noCacheFields());
    }
    Headers.Builder kept = Headers.builder();
    response.headers().forEach((name, value) -> {
      String lower = name.toLowerCase(Locale.ROOT);
      if (!HOP_BY_HOP.contains(lower) && !perResponse.contains(lower) && !notKept.contains(lower)) {
        kept.add(name, value);
      }
    });
    EntityTag etag = response.headers().first(HeaderNames.ETAG)
        .flatMap(EntityTag::tryParse)
        .orElseGet(() -> EntityTag.ofBody(response.body()));
    CachePolicy p = c.policy;
    if (fromOrigin.isPresent()) {
      // the entry's age starts at the age the response already had (RFC 9111 §4.2.3)
      OriginFreshness origin = fromOrigin.get();
      return new StoredEntry(response.status(), kept.build(), response.body(), etag,
          now - origin.initialAge().toMillis(), origin.lifetime().toMillis(),
          origin.staleWhileRevalidate().toMillis(), origin.staleIfError().toMillis(), c.tags());
    }
    return new StoredEntry(response.status(), kept.build(), response.body(), etag, now, p.ttl().toMillis(),
        p.staleWhileRevalidate().toMillis(), p.staleIfError().toMillis(), c.tags());
  }

  /**
   * The decoding of {@code read}: the one kept beside it when the store keeps one, else decoded now
   * (and kept, when the store offers a memo and the decoding is of the size its weight counts).
   */
  private Optional<StoredEntry> decode(Watched read) {
    EntryMemo memo = read.memo();
    if (memo == null) {
      return decodedEntries.decode(read.entry());
    }
    if (memo.kept() instanceof StoredEntry kept) {
      return Optional.of(kept);
    }
    Optional<StoredEntry> decoded = EntryCodec.decode(read.entry());
    if (decoded.isPresent()) {
      StoredEntry entry = decoded.get();
      entry.rendered().keepsDecodedBody = false; // the store counts the estimate below, not a decoded body
      memo.keep(entry, entry.heapEstimate());
    }
    return decoded;
  }

  /**
   * The entry the store holds for {@code c}, if any and readable, as of {@code nowMillis}: an entry
   * soft-purged since its fill began has its lifetime ended then.
   */
  Optional<StoredEntry> current(Admission.Cacheable c, long nowMillis) {
    Optional<Watched> found = store.getWatching(c.storeKey(), c::counters, c.softCounters(), c.scope);
    if (found.isEmpty()) {
      return Optional.empty();
    }
    EntryMemo memo = found.get().memo();
    // an entry whose decoding is kept is a response, not a variant list: its bytes need not be read
    Optional<List<String>> varied = memo != null && memo.kept() instanceof StoredEntry ? Optional.empty()
        : EntryCodec.decodeVariants(found.get().entry());
    if (varied.isPresent()) {
      // the route's responses vary on request fields: the request's own values pick the variant
      found = store.getWatching(Variants.key(c.key, varied.get(), c.request.headers()).storeKey(), c::counters,
          c.softCounters(), c.scope);
      if (found.isEmpty()) {
        return Optional.empty();
      }
    }
    Optional<StoredEntry> decoded = decode(found.get());
    if (decoded.isEmpty()) {
      c.scope.storeErrors.increment();
      return Optional.empty();
    }
    StoredEntry entry = decoded.get();
    return Optional.of(entry.marksHold(found.get().counters()) ? entry : entry.expiredAt(nowMillis));
  }
}
