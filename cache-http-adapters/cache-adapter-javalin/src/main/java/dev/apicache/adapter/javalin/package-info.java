/** The Javalin 7 adapter, {@link dev.apicache.adapter.javalin.ApiCachePlugin}. */
@NullMarked
package dev.apicache.adapter.javalin;

import org.jspecify.annotations.NullMarked;
