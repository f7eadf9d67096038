/**
 * Not API: parts that more than one of apicache's own modules share. Nothing here is exported to
 * applications, and anything may change in any release.
 */
package dev.apicache.internal;
