package dev.apicache.proxy;

import io.netty.channel.CombinedChannelDuplexHandler;
import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.handler.codec.http.HttpMessage;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequestEncoder;
import io.netty.handler.codec.http.HttpResponseDecoder;
import io.netty.util.AsciiString;

/**
 * HTTP/1.1 to the upstream, strict about what comes back: besides the framing rules Netty
 * enforces (no {@code Content-Length} beside chunked, no duplicated or conflicting lengths), a
 * field name holding whitespace ({@code Bad Name: x}) is refused rather than cut at the space.
 * Requests on one connection are sequential, so the method the next response answers is simply
 * the last one sent.
 */
final class UpstreamCodec extends CombinedChannelDuplexHandler<UpstreamCodec.ResponseDecoder, HttpRequestEncoder> {
  UpstreamCodec(HttpDecoderConfig config) {
    init(new ResponseDecoder(config), new HttpRequestEncoder());
  }

  /** The method of the request about to be sent, so that a HEAD's response is read without a body. */
  void expect(HttpMethod method) {
    inboundHandler().method = method;
  }

  /** A status line that is no status line: bytes out of step with the responses, not a response. */
  static final class NotAStatusLine extends IllegalArgumentException {
    NotAStatusLine(Throwable cause) {
      super(cause.getMessage(), cause);
    }
  }

  static final class ResponseDecoder extends HttpResponseDecoder {
    private volatile HttpMethod method = HttpMethod.GET;

    ResponseDecoder(HttpDecoderConfig config) {
      super(config);
    }

    @Override
    protected HttpMessage createMessage(String[] initialLine) {
      try {
        return super.createMessage(initialLine);
      } catch (RuntimeException e) {
        throw new NotAStatusLine(e);
      }
    }

    @Override
    protected boolean isContentAlwaysEmpty(HttpMessage msg) {
      return HttpMethod.HEAD.equals(method) || super.isContentAlwaysEmpty(msg);
    }

    @Override
    protected AsciiString splitHeaderName(byte[] line, int start, int length) {
      int i = start + length;
      while (i < line.length && (line[i] == ' ' || line[i] == '\t')) {
        i++;
      }
      if (i < line.length && line[i] != ':') {
        throw new IllegalArgumentException("a field name holds whitespace");
      }
      return super.splitHeaderName(line, start, length);
    }
  }
}
