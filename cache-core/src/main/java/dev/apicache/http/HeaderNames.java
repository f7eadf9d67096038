package dev.apicache.http;

/**
 * The header names apicache reads or writes, spelled as on the wire; each constant holds the name it is called after.
 *
 * @since 0.1
 */
public final class HeaderNames {
public static final String ACCEPT_ENCODING = "Accept-Encoding";
  public static final String AGE = "Age";
  public static final String AUTHORIZATION = "Authorization";
  public static final String CACHE_CONTROL = "Cache-Control";
  public static final String CACHE_STATUS = "Cache-Status";
  public static final String CONNECTION = "Connection";
  public static final String CONTENT_ENCODING = "Content-Encoding";
  public static final String CONTENT_LENGTH = "Content-Length";
  public static final String CONTENT_LOCATION = "Content-Location";
  public static final String CONTENT_RANGE = "Content-Range";
  public static final String CONTENT_TYPE = "Content-Type";
  public static final String DATE = "Date";
  public static final String ETAG = "ETag";
  public static final String EXPIRES = "Expires";
  public static final String HOST = "Host";
  public static final String IF_MATCH = "If-Match";
  public static final String IF_MODIFIED_SINCE = "If-Modified-Since";
  public static final String IF_NONE_MATCH = "If-None-Match";
  public static final String IF_RANGE = "If-Range";
  public static final String IF_UNMODIFIED_SINCE = "If-Unmodified-Since";
  public static final String KEEP_ALIVE = "Keep-Alive";
  public static final String LAST_MODIFIED = "Last-Modified";
  public static final String LOCATION = "Location";
  public static final String PRAGMA = "Pragma";
  public static final String RANGE = "Range";
  public static final String SET_COOKIE = "Set-Cookie";
  public static final String SET_COOKIE2 = "Set-Cookie2";
  public static final String TRANSFER_ENCODING = "Transfer-Encoding";
  public static final String UPGRADE = "Upgrade";
  public static final String VARY = "Vary";
  public static final String X_CACHE = "X-Cache";

  private HeaderNames() {}
}
