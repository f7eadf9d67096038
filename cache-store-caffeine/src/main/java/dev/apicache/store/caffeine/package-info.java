/** The in-process store, {@link dev.apicache.store.caffeine.CaffeineStore}. */
package dev.apicache.store.caffeine;
