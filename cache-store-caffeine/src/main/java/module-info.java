/**
 * The embedded store on Caffeine ({@code CaffeineStore}), and the two-tier store that keeps a
 * Caffeine near copy over a shared store ({@code TieredStore}).
 *
 * @since 0.1
 */
module dev.apicache.store.caffeine {
  requires transitive dev.apicache.core;
  requires com.github.benmanes.caffeine;

  exports dev.apicache.store.caffeine;
}
