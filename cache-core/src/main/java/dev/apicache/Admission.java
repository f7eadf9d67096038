package dev.apicache;

import static java.util.Objects.requireNonNull;

import dev.apicache.spi.Counter;
import dev.apicache.spi.EntryKey;
import dev.apicache.spi.Fence;
import java.util.Arrays;
import java.util.List;

/**
 * What the cache makes of one request, decided once by {@link CacheEngine#admit} and handed on: a
 * write, a bypass with its reason, or a request the cache may answer, with its policy and key.
 * Adapters switch on the variant; nothing downstream screens the request again.
 *
 * @since 0.1
 */
public sealed interface Admission permits Admission.Write, Admission.Bypass, Admission.Cacheable {

  /** The request as the adapter read it. */
  CacheRequest request();

  /**
   * An unsafe request (POST, PUT, PATCH, DELETE): it runs untouched, and its outcome goes to
   * {@link CacheEngine#onWriteCompleted} before its response leaves.
   */
  record Write(CacheRequest request) implements Admission {
    /** Requires a request. */
    public Write {
      requireNonNull(request, "request");
    }

    /**
     * The {@code X-Cache} and {@code Cache-Status} fields for the application's response, both of
     * them; an adapter adds {@link CacheEngine#fieldsFor} instead, which leaves out what the engine
     * was told to.
     */
    public Headers headers() {
      return Renderer.bypassHeaders(BypassReason.UNSAFE_METHOD);
    }
  }

  /** A request the cache stays out of: the application serves it untouched. Counted once, by {@code admit}. */
  record Bypass(CacheRequest request, BypassReason reason) implements Admission {
    /** Requires both. */
    public Bypass {
      requireNonNull(request, "request");
      requireNonNull(reason, "reason");
    }

    /**
     * The {@code X-Cache} and {@code Cache-Status} fields for the application's response, both of
     * them; an adapter adds {@link CacheEngine#fieldsFor} instead.
     */
    public Headers headers() {
      return Renderer.bypassHeaders(reason);
    }
  }

  /**
   * A GET or HEAD the cache may answer: its policy, the path in canonical spelling and the key.
   * Only the engine builds one; pass it to {@link CacheEngine#serve} or {@link CacheEngine#handle(Admission, Origin)}.
   */
  final class Cacheable implements Admission {
    final CacheRequest request;
    final CachePolicy policy;
    final StatsRecorder.Scope scope;
    /** The path in canonical spelling: what keys, URL counters and purges use. */
    final String path;
    final CacheKey key;
    final boolean head;
    /** What every request for this path shares: tags, fence counters. */
    private final KnownPath.Matched known;

    Cacheable(CacheRequest request, KnownPath.Matched known, CacheKey key) {
      this.request = request;
      this.known = known;
      this.policy = known.policy;
      this.scope = known.scope;
      this.path = known.path;
      this.key = key;
      this.head = request.method().equals("HEAD");
    }

    @Override
    public CacheRequest request() {
      return request;
    }

    /** The policy that matched. */
    public CachePolicy policy() {
      return policy;
    }

    /** The key the request's entry is stored under. */
    CacheKey key() {
      return key;
    }

    /** The bytes of a response body the engine holds before it streams the rest through uncached. */
    public int holdLimit() {
      return (int) Math.min(Integer.MAX_VALUE - 8, policy.maxBodyBytes());
    }

    /** The tags of an entry filled for this request. */
    List<String> tags() {
      return known.tags();
    }

    /** The counters that fence a fill for this request: its policy, its URL and its tags. */
    List<Counter> counters() {
      return known.counters();
    }

    /** The soft-purge counters an entry of this request records and is read with: policy, then URL. */
    List<Counter> softCounters() {
      return known.softCounters();
    }

    /**
     * What a fill reads before its origin call: the {@linkplain #counters fence}, then the
     * {@linkplain #softCounters soft counters}. Two fills agree on all of it or do not share a call.
     */
    List<Counter> fillCounters() {
      return known.fillCounters();
    }

    /** The part of a fill's snapshot (over {@link #fillCounters}) that fences its entry. */
    Fence fenceOf(Fence fill) {
      return Fence.of(counters(), Arrays.copyOf(fill.values(), counters().size()));
    }

    /** The soft counters' values in a fill's snapshot: what its entry records. */
    long[] marksOf(Fence fill) {
      long[] all = fill.values();
      return Arrays.copyOfRange(all, all.length - softCounters().size(), all.length);
    }

    /** The key as the store names it. */
    EntryKey storeKey() {
      return key.storeKey();
    }

    @Override
    public String toString() {
      return "Cacheable[" + request.method() + " " + path + ", policy " + policy.id() + "]";
    }
  }
}
