/**
 * The Javalin adapter: one plugin ({@code ApiCachePlugin}), running on Javalin's Jetty servlet
 * container through the servlet adapter's binding.
 *
 * @since 0.1
 */
module dev.apicache.adapter.javalin {
  requires transitive dev.apicache.core;
  requires transitive io.javalin;
  requires dev.apicache.adapter.servlet;
  requires org.eclipse.jetty.ee10.servlet;

  exports dev.apicache.adapter.javalin;
}
