/**
 * The kit a server framework's adapter is written with: it binds one
 * {@link dev.apicache.adapter.ServerExchange} to its framework and calls
 * {@link dev.apicache.adapter.CacheFront} in its own request hook; the front does the rest once
 * for every framework. {@link dev.apicache.adapter.LoopbackOrigin} refreshes entries in the
 * background through the server's own connector, and {@link dev.apicache.adapter.AdminApi} answers
 * the purge and stats endpoints. Applications do not need this package; they use an adapter.
 *
 * @since 0.1
 */
@NullMarked
package dev.apicache.adapter;

import org.jspecify.annotations.NullMarked;
