/** The Jakarta Servlet 6 adapter, {@link dev.apicache.adapter.servlet.ApiCacheFilter}. */
package dev.apicache.adapter.servlet;
