/**
 * The suites every framework adapter passes (conformance and adversarial), as JUnit tests an
 * adapter's own test module extends.
 *
 * @since 0.1
 */
open module dev.apicache.adapter.testkit {
  requires transitive dev.apicache.core;
  requires transitive org.junit.jupiter.api;
  requires awaitility;
  requires quicktheories;
  requires java.net.http;

  exports dev.apicache.adapter.testkit;
}
