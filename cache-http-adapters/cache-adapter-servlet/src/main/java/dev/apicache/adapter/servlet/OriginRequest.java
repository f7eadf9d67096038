package dev.apicache.adapter.servlet;

import dev.apicache.CacheRequest;
import dev.apicache.http.HttpDate;
import jakarta.servlet.AsyncContext;
import jakarta.servlet.ServletRequest;
import jakarta.servlet.ServletResponse;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletRequestWrapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Enumeration;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * The client's request as the engine asks the origin for it: its method and headers are the
 * engine's (a GET for a HEAD, no conditional headers), everything else is the container's. A
 * servlet that goes asynchronous turns the captured response into a pass-through first.
 */
final class OriginRequest extends HttpServletRequestWrapper {
  private final CacheRequest asked;
  private final CapturingResponse response;

  OriginRequest(HttpServletRequest request, CacheRequest asked, CapturingResponse response) {
    super(request);
    this.asked = asked;
    this.response = response;
  }

  @Override
  public String getMethod() {
    return asked.method();
  }

  @Override
  public @Nullable String getHeader(String name) {
    return asked.headers().first(name).orElse(null);
  }

  @Override
  public Enumeration<String> getHeaders(String name) {
    return Collections.enumeration(asked.headers().all(name));
  }

  @Override
  public Enumeration<String> getHeaderNames() {
    List<String> names = new ArrayList<>();
    for (int i = 0; i < asked.headers().size(); i++) {
      String n = asked.headers().name(i);
      if (names.stream().noneMatch(n::equalsIgnoreCase)) {
        names.add(n);
      }
    }
    return Collections.enumeration(names);
  }

  @Override
  public int getIntHeader(String name) {
    String v = getHeader(name);
    return v == null ? -1 : Integer.parseInt(v.trim());
  }

  @Override
  public long getDateHeader(String name) {
    String v = getHeader(name);
    if (v == null) {
      return -1;
    }
    return HttpDate.parse(v).orElseThrow(() -> new IllegalArgumentException("not an HTTP date: " + v)).toEpochMilli();
  }

  @Override
  public AsyncContext startAsync() {
    streamThrough();
    return super.startAsync();
  }

  @Override
  public AsyncContext startAsync(ServletRequest request, ServletResponse servletResponse) {
    streamThrough();
    return super.startAsync(request, servletResponse);
  }

  private void streamThrough() {
    try {
      response.passThrough();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
