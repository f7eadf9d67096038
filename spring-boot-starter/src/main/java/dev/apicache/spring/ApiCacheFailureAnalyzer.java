package dev.apicache.spring;

import org.springframework.boot.diagnostics.AbstractFailureAnalyzer;
import org.springframework.boot.diagnostics.FailureAnalysis;

/**
 * Reports a mistake in {@code apicache.*} as Spring Boot reports its own: one "APPLICATION FAILED
 * TO START" block naming the property, its value, where it was set and why it is wrong, with what
 * to do, instead of a stack trace.
 */
final class ApiCacheFailureAnalyzer extends AbstractFailureAnalyzer<ApiCacheConfigurationException> {
  @Override
  protected FailureAnalysis analyze(Throwable rootFailure, ApiCacheConfigurationException cause) {
    StringBuilder description = new StringBuilder("Invalid apicache configuration:\n\n");
    description.append("    Property: ").append(cause.property()).append('\n');
    if (cause.value() != null) {
      description.append("    Value: \"").append(cause.value()).append("\"\n");
    }
    if (cause.origin() != null) {
      description.append("    Origin: ").append(cause.origin()).append('\n');
    }
    description.append("    Reason: ").append(cause.reason()).append('\n');
    return new FailureAnalysis(description.toString(), cause.action(), cause);
  }
}
