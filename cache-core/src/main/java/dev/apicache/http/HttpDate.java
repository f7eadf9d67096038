package dev.apicache.http;

import static java.util.Objects.requireNonNull;

import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeFormatterBuilder;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoField;
import java.util.Locale;
import java.util.Optional;

/**
 * HTTP dates (RFC 9110 §5.6.7), read and written in one place. Writes the preferred
 * {@code IMF-fixdate} ({@code Sun, 06 Nov 1994 08:49:37 GMT}); reads it, the two obsolete forms a
 * recipient must accept (RFC 850 and asctime) and RFC 1123 with a one-digit day or a numeric zone,
 * to whole seconds. Anything else, a weekday that does not match the date included, is no date.
 *
 * @since 0.1
 */
public final class HttpDate {
  private static final DateTimeFormatter IMF_FIXDATE =
      DateTimeFormatter.ofPattern("EEE, dd MMM yyyy HH:mm:ss 'GMT'", Locale.US).withZone(ZoneOffset.UTC);
  /**
   * RFC 9110: a two-digit year more than 50 years ahead is the most recent past year with those
   * digits, so the century is chosen relative to a base 49 years back.
   */
  private static final DateTimeFormatter RFC_850 = new DateTimeFormatterBuilder()
      .appendPattern("EEEE, dd-MMM-")
      .appendValueReduced(ChronoField.YEAR, 2, 2, LocalDate.now(ZoneOffset.UTC).minusYears(49))
      .appendPattern(" HH:mm:ss 'GMT'")
      .toFormatter(Locale.US)
      .withZone(ZoneOffset.UTC);
  private static final DateTimeFormatter ASCTIME =
      DateTimeFormatter.ofPattern("EEE MMM ppd HH:mm:ss yyyy", Locale.US).withZone(ZoneOffset.UTC);

  /** RFC 1123 as senders write it in practice: a one-digit day, a numeric zone. */
  private static final DateTimeFormatter LENIENT = DateTimeFormatter.RFC_1123_DATE_TIME;

  private HttpDate() {}

  /** The instant {@code value} names, when it is an HTTP date in any of the three forms. */
  public static Optional<Instant> parse(String value) {
    requireNonNull(value, "value");
    String v = value.trim();
    for (DateTimeFormatter f : new DateTimeFormatter[] {IMF_FIXDATE, RFC_850, ASCTIME, LENIENT}) {
      try {
        return Optional.of(ZonedDateTime.parse(v, f).toInstant());
      } catch (DateTimeParseException notThisForm) {
        // try the next form
      }
    }
    return Optional.empty();
  }

  /** {@code instant} as an {@code IMF-fixdate}, to the second. */
  public static String format(Instant instant) {
    return IMF_FIXDATE.format(requireNonNull(instant, "instant"));
  }

  /** {@code epochMillis} as an {@code IMF-fixdate}, to the second. */
  public static String format(long epochMillis) {
    return format(Instant.ofEpochMilli(epochMillis));
  }
}
