/** The Javalin 7 adapter, {@link dev.apicache.adapter.javalin.ApiCachePlugin}. */
package dev.apicache.adapter.javalin;
