package dev.apicache.spring;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * {@code apicache.*} in {@code application.yml}: policies inline or from a policy file, the
 * Caffeine store's size, and an on/off switch. Inline policies use the policy file's field names
 * and are checked by the same rules, with the same messages.
 */
@ConfigurationProperties("apicache")
public class ApiCacheProperties {
  /** Whether apicache caches at all; false leaves the application as if it were not there. */
  private boolean enabled = true;
  /** A policy file (YAML, or JSON when it ends in .json), as a Spring resource location such as classpath:cache.yaml. */
  private String policyFile;
  /** Policies, as in a policy file's policies list. */
  private List<Policy> policies = new ArrayList<>();
  /** Write rules, as in a policy file's writes list. */
  private List<Write> writes = new ArrayList<>();
  /** The in-process store's budget, in bytes of stored entries. */
  private long caffeineMaximumBytes = 256L << 20;

  public boolean isEnabled() {
    return enabled;
  }

  public void setEnabled(boolean enabled) {
    this.enabled = enabled;
  }

  public String getPolicyFile() {
    return policyFile;
  }

  public void setPolicyFile(String policyFile) {
    this.policyFile = policyFile;
  }

  public List<Policy> getPolicies() {
    return policies;
  }

  public void setPolicies(List<Policy> policies) {
    this.policies = policies;
  }

  public List<Write> getWrites() {
    return writes;
  }

  public void setWrites(List<Write> writes) {
    this.writes = writes;
  }

  public long getCaffeineMaximumBytes() {
    return caffeineMaximumBytes;
  }

  public void setCaffeineMaximumBytes(long caffeineMaximumBytes) {
    this.caffeineMaximumBytes = caffeineMaximumBytes;
  }

  /** One policy; the fields and their meaning are the policy file's. */
  public static class Policy {
    /** The route: exact, a template such as /api/products/{id:int}, or a prefix ending in /**. */
    private String path;
    /** GET (the default) and, explicitly, HEAD. */
    private List<String> methods = new ArrayList<>();
    /** How long a response is fresh (policy-directed freshness). */
    private Duration ttl;
    /** How long past its ttl a response is served while one refresh runs. */
    private Duration staleWhileRevalidate;
    /** How long past its ttl a response may replace an origin error. */
    private Duration staleIfError;
    /** Key parts beyond the path: name or query:name, query:*, header:Name, key:name. */
    private List<String> varyBy = new ArrayList<>();
    /** Events that invalidate every entry of the policy. */
    private List<String> invalidateOn = new ArrayList<>();
    /** Tag templates such as product:{id}. */
    private List<String> tags = new ArrayList<>();
    /** The Cache-Control sent to clients; default no-cache. */
    private String cacheControl;
    /** The largest body stored, such as 1MB. */
    private String maxBodySize;
    /** Whether requests that carry Authorization may share entries. */
    private Boolean shared;
    /** Whether one entry serves every host name. */
    private Boolean shareAcrossHosts;
    /** policy (the default) or origin: the response's own Cache-Control decides (RFC 9111). */
    private String freshness;
    /** The floor on what the origin says (origin freshness). */
    private Duration minTtl;
    /** The ceiling on what the origin says (origin freshness). */
    private Duration maxTtl;

    public String getPath() {
      return path;
    }

    public void setPath(String path) {
      this.path = path;
    }

    public List<String> getMethods() {
      return methods;
    }

    public void setMethods(List<String> methods) {
      this.methods = methods;
    }

    public Duration getTtl() {
      return ttl;
    }

    public void setTtl(Duration ttl) {
      this.ttl = ttl;
    }

    public Duration getStaleWhileRevalidate() {
      return staleWhileRevalidate;
    }

    public void setStaleWhileRevalidate(Duration staleWhileRevalidate) {
      this.staleWhileRevalidate = staleWhileRevalidate;
    }

    public Duration getStaleIfError() {
      return staleIfError;
    }

    public void setStaleIfError(Duration staleIfError) {
      this.staleIfError = staleIfError;
    }

    public List<String> getVaryBy() {
      return varyBy;
    }

    public void setVaryBy(List<String> varyBy) {
      this.varyBy = varyBy;
    }

    public List<String> getInvalidateOn() {
      return invalidateOn;
    }

    public void setInvalidateOn(List<String> invalidateOn) {
      this.invalidateOn = invalidateOn;
    }

    public List<String> getTags() {
      return tags;
    }

    public void setTags(List<String> tags) {
      this.tags = tags;
    }

    public String getCacheControl() {
      return cacheControl;
    }

    public void setCacheControl(String cacheControl) {
      this.cacheControl = cacheControl;
    }

    public String getMaxBodySize() {
      return maxBodySize;
    }

    public void setMaxBodySize(String maxBodySize) {
      this.maxBodySize = maxBodySize;
    }

    public Boolean getShared() {
      return shared;
    }

    public void setShared(Boolean shared) {
      this.shared = shared;
    }

    public Boolean getShareAcrossHosts() {
      return shareAcrossHosts;
    }

    public void setShareAcrossHosts(Boolean shareAcrossHosts) {
      this.shareAcrossHosts = shareAcrossHosts;
    }

    public String getFreshness() {
      return freshness;
    }

    public void setFreshness(String freshness) {
      this.freshness = freshness;
    }

    public Duration getMinTtl() {
      return minTtl;
    }

    public void setMinTtl(Duration minTtl) {
      this.minTtl = minTtl;
    }

    public Duration getMaxTtl() {
      return maxTtl;
    }

    public void setMaxTtl(Duration maxTtl) {
      this.maxTtl = maxTtl;
    }
  }

  /** One write rule: the unsafe requests under a path that fire events. */
  public static class Write {
    /** The route the rule covers. */
    private String path;
    /** POST, PUT, PATCH, DELETE; all four by default. */
    private List<String> methods = new ArrayList<>();
    /** The events a successful write fires. */
    private List<String> events = new ArrayList<>();

    public String getPath() {
      return path;
    }

    public void setPath(String path) {
      this.path = path;
    }

    public List<String> getMethods() {
      return methods;
    }

    public void setMethods(List<String> methods) {
      this.methods = methods;
    }

    public List<String> getEvents() {
      return events;
    }

    public void setEvents(List<String> events) {
      this.events = events;
    }
  }
}
