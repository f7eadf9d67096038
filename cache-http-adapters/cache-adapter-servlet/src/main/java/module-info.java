/**
 * The Jakarta Servlet adapter: one filter ({@code ApiCacheFilter}) in front of any servlet
 * application.
 *
 * @since 0.1
 */
module dev.apicache.adapter.servlet {
  requires transitive dev.apicache.core;
  requires transitive jakarta.servlet;

  exports dev.apicache.adapter.servlet;
  exports dev.apicache.adapter.servlet.internal to dev.apicache.adapter.javalin;
}
