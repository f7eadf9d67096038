package dev.apicache.adapter.servlet.internal;

import static java.util.Objects.requireNonNull;

import dev.apicache.Bytes;
import dev.apicache.adapter.ServerExchange;
import dev.apicache.adapter.servlet.ApiCacheFilter;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.io.InputStream;
import java.util.Enumeration;
import java.util.List;
import java.util.Optional;
import java.util.function.BiConsumer;
import org.jspecify.annotations.Nullable;

/**
 * The {@link ServerExchange} binding of a servlet request and response: used by
 * {@link ApiCacheFilter} and by frameworks that run on a servlet container (Javalin).
 */
public final class ServletExchange implements ServerExchange {
  private final HttpServletRequest request;
  private final HttpServletResponse response;

  /** The exchange of {@code request} and {@code response}. */
  public ServletExchange(HttpServletRequest request, HttpServletResponse response) {
    this.request = requireNonNull(request, "request");
    this.response = requireNonNull(response, "response");
  }

  @Override
  public String method() {
    return request.getMethod();
  }

  @Override
  public String target() {
    String query = request.getQueryString();
    return query == null ? request.getRequestURI() : request.getRequestURI() + "?" + query;
  }

  @Override
  public String scheme() {
    return request.getScheme();
  }

  @Override
  public void forEachHeader(BiConsumer<String, String> each) {
    Enumeration<String> names = request.getHeaderNames();
    while (names.hasMoreElements()) {
      String name = names.nextElement();
      Enumeration<String> values = request.getHeaders(name);
      while (values.hasMoreElements()) {
        each.accept(name, values.nextElement());
      }
    }
  }

  @Override
  public void forEachAttribute(BiConsumer<String, @Nullable Object> each) {
    Enumeration<String> names = request.getAttributeNames();
    while (names.hasMoreElements()) {
      String name = names.nextElement();
      each.accept(name, request.getAttribute(name));
    }
  }

  @Override
  public Optional<String> header(String name) {
    return Optional.ofNullable(request.getHeader(name));
  }

  @Override
  public String localAddress() {
    return request.getLocalAddr();
  }

  @Override
  public int localPort() {
    return request.getLocalPort();
  }

  @Override
  public void setResponseHeader(String name, String value) {
    response.setHeader(name, value);
  }

  @Override
  public void status(int code) {
    response.setStatus(code);
    response.setContentType(null); // a framework's default type would relabel a 304's representation
  }

  @Override
  public void header(String name, List<String> values) {
    response.setHeader(name, values.get(0)); // replaces framework defaults such as Content-Type
    for (int i = 1; i < values.size(); i++) {
      response.addHeader(name, values.get(i));
    }
  }

  @Override
  public void send(Bytes body, long contentLength) throws IOException {
    if (contentLength >= 0) {
      response.setContentLengthLong(contentLength);
    }
    if (!body.isEmpty()) {
      body.writeTo(response.getOutputStream());
    }
  }

  @Override
  public void stream(InputStream body) throws IOException {
    body.transferTo(response.getOutputStream());
  }
}
