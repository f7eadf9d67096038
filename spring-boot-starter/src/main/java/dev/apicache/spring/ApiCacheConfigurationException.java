package dev.apicache.spring;

import dev.apicache.PolicyConfigException;
import org.jspecify.annotations.Nullable;
import org.springframework.boot.context.properties.source.ConfigurationProperty;
import org.springframework.boot.context.properties.source.ConfigurationPropertyName;
import org.springframework.boot.context.properties.source.ConfigurationPropertySource;
import org.springframework.boot.context.properties.source.ConfigurationPropertySources;
import org.springframework.boot.origin.Origin;
import org.springframework.core.env.Environment;

/**
 * A mistake in {@code apicache.*}, told in Spring's terms: the property as the user wrote it, its
 * value and where it was set (a line of {@code application.yml}), the reason and what to do.
 * {@link ApiCacheFailureAnalyzer} turns it into Boot's "APPLICATION FAILED TO START" report.
 */
final class ApiCacheConfigurationException extends PolicyConfigException {
  private static final long serialVersionUID = 1L;

  private final String property;
  private final transient @Nullable Object value;
  private final transient @Nullable Origin origin;
  private final String reason;
  private final String action;

  ApiCacheConfigurationException(String property, @Nullable Object value, @Nullable Origin origin, String reason,
      String action, @Nullable Throwable cause) {
    super(property + ": " + reason + (origin == null ? "" : " (" + origin + ")"), cause);
    this.property = property;
    this.value = value;
    this.origin = origin;
    this.reason = reason;
    this.action = action;
  }

  /** A mistake in {@code property}, whose value and origin are looked up in {@code environment}. */
  static ApiCacheConfigurationException at(Environment environment, String property, String reason, String action,
      @Nullable Throwable cause) {
    ConfigurationProperty found = lookUp(environment, property);
    return new ApiCacheConfigurationException(property, found == null ? null : found.getValue(),
        found == null ? null : found.getOrigin(), reason, action, cause);
  }

  /**
   * The inline policies' mistake {@code e}, at the property the user wrote: the reader's field
   * {@code policies[2].varyBy} is {@code apicache.policies[2].vary-by}.
   */
  static ApiCacheConfigurationException inline(Environment environment, PolicyConfigException e) {
    String property = "apicache." + e.field().map(ApiCacheConfigurationException::kebab).orElse("policies");
    return at(environment, property, e.reason(), "Update apicache." + (property.startsWith("apicache.writes")
        ? "writes" : "policies") + " in your application's configuration; its fields and rules are the policy"
        + " file's (see the policy file reference in apicache's README).", e);
  }

  String property() {
    return property;
  }

  @Nullable Object value() {
    return value;
  }

  @Nullable Origin origin() {
    return origin;
  }

  @Override
  public String reason() {
    return reason;
  }

  String action() {
    return action;
  }

  private static String kebab(String field) {
    StringBuilder b = new StringBuilder(field.length() + 4);
    for (int i = 0; i < field.length(); i++) {
      char c = field.charAt(i);
      if (Character.isUpperCase(c)) {
        b.append('-').append(Character.toLowerCase(c));
      } else {
        b.append(c);
      }
    }
    return b.toString();
  }

  /**
   * The property itself, else its first list element, else (for a whole entry such as
   * {@code apicache.policies[0]}) that entry's path.
   */
  private static @Nullable ConfigurationProperty lookUp(Environment environment, String property) {
    for (String name : new String[] {property, property + "[0]", property + ".path"}) {
      if (!ConfigurationPropertyName.isValid(name)) {
        continue;
      }
      ConfigurationPropertyName key = ConfigurationPropertyName.of(name);
      for (ConfigurationPropertySource source : ConfigurationPropertySources.get(environment)) {
        ConfigurationProperty found = source.getConfigurationProperty(key);
        if (found != null) {
          return found;
        }
      }
    }
    return null;
  }
}
