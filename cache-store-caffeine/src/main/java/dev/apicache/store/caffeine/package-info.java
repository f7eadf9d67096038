/** The in-process store, {@link dev.apicache.store.caffeine.CaffeineStore}. */
@NullMarked
package dev.apicache.store.caffeine;

import org.jspecify.annotations.NullMarked;
