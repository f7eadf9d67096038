/**
 * apicache's core: policies, the request/response model and the engine for applications
 * ({@code dev.apicache}), HTTP value types ({@code dev.apicache.http}), the kit framework adapters
 * are written with ({@code dev.apicache.adapter}) and what stores implement ({@code dev.apicache.spi}).
 * Jackson is needed only to read policy files; code-built policies need only the JDK.
 *
 * @since 0.1
 */
module dev.apicache.core {
  requires transitive org.jspecify; // the nullness annotations on the API
  requires java.net.http; // an Origin built on java.net.http times out with its exception, answered 504
  requires static com.fasterxml.jackson.databind;
  requires static com.fasterxml.jackson.dataformat.yaml;

  exports dev.apicache;
  exports dev.apicache.http;
  exports dev.apicache.adapter;
  exports dev.apicache.spi;
  exports dev.apicache.internal to dev.apicache.store.caffeine;
}
