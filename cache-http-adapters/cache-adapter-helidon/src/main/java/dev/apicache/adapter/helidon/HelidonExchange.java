package dev.apicache.adapter.helidon;

import dev.apicache.Bytes;
import dev.apicache.adapter.LoopbackOrigin;
import dev.apicache.adapter.ServerExchange;
import io.helidon.common.context.Context;
import io.helidon.http.Header;
import io.helidon.http.HeaderNames;
import io.helidon.http.Status;
import io.helidon.webserver.http.RoutingResponse;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.Optional;
import java.util.function.BiConsumer;
import org.jspecify.annotations.Nullable;

/**
 * The {@link ServerExchange} binding of a Helidon SE request and response, for {@link ApiCacheFeature}
 * and for handlers that bridge to a {@code CacheRequest}. The request's Helidon
 * {@link Context} (where Helidon security keeps its {@code SecurityContext}) is the one attribute
 * key functions see, under {@code io.helidon.common.context.Context}.
 */
final class HelidonExchange implements ServerExchange {
  private final ServerRequest request;
  private final ServerResponse response;
  private int status = 200;

  /** The exchange of {@code request} and {@code response}. */
  public HelidonExchange(ServerRequest request, ServerResponse response) {
    this.request = request;
    this.response = response;
  }

  @Override
  public String method() {
    return request.prologue().method().text();
  }

  @Override
  public String target() {
    String query = request.prologue().query().rawValue();
    String path = request.prologue().uriPath().rawPath();
    return query == null || query.isEmpty() ? path : path + "?" + query;
  }

  @Override
  public String scheme() {
    return request.isSecure() ? "https" : "http";
  }

  @Override
  public void forEachHeader(BiConsumer<String, String> each) {
    for (Header h : request.headers()) {
      h.allValues().forEach(v -> each.accept(h.name(), v));
    }
  }

  @Override
  public void forEachAttribute(BiConsumer<String, @Nullable Object> each) {
    each.accept(Context.class.getName(), request.context());
  }

  @Override
  public Optional<String> header(String name) {
    return request.headers().value(HeaderNames.create(name));
  }

  @Override
  public String localAddress() {
    return request.localPeer().address() instanceof InetSocketAddress a ? a.getAddress().getHostAddress()
        : "127.0.0.1";
  }

  @Override
  public int localPort() {
    return request.localPeer().port();
  }

  @Override
  public LoopbackOrigin.HeaderDecoding headerDecoding() {
    return LoopbackOrigin.HeaderDecoding.ASCII_REPLACING;
  }

  @Override
  public void setResponseHeader(String name, String value) {
    response.header(name, value);
  }

  @Override
  public void status(int code) {
    status = code;
    response.status(Status.create(code));
  }

  @Override
  public void header(String name, List<String> values) {
    response.header(name, values.toArray(String[]::new));
  }

  @Override
  public void send(Bytes body, long contentLength) {
    if (status == Status.NOT_MODIFIED_304.code()) {
      // Helidon refuses a 304 with a length; ApiCacheFeature.notModifiedListener() drops the 0 it sends
      response.send();
    } else if (body.isEmpty() && contentLength > 0) {
      response.contentLength(contentLength); // a HEAD answered from a GET entry
      response.send();
    } else {
      response.send(body.toByteArray());
    }
  }

  @Override
  public void stream(InputStream body) throws IOException {
    try (OutputStream out = response.outputStream()) {
      body.transferTo(out);
    }
    if (response instanceof RoutingResponse routing) {
      routing.commit(); // a filter's stream is sent only on commit
    }
  }
}
