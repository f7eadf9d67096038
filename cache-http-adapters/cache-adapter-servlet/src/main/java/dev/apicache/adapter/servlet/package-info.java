/** The Jakarta Servlet 6 adapter, {@link dev.apicache.adapter.servlet.ApiCacheFilter}. */
@NullMarked
package dev.apicache.adapter.servlet;

import org.jspecify.annotations.NullMarked;
