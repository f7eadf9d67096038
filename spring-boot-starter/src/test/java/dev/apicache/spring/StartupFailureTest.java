package dev.apicache.spring;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;

/**
 * A mistake in {@code application.yml} stops the application the way Spring Boot's own binding
 * mistakes do: one "APPLICATION FAILED TO START" report with the property as written, where it was
 * set and why, and no stack trace repeating the reason.
 */
@ExtendWith(OutputCaptureExtension.class)
class StartupFailureTest {
  @SpringBootConfiguration
  @EnableAutoConfiguration
  static class App {}

  private static void start(String config) {
    assertThrows(RuntimeException.class, () -> new SpringApplicationBuilder(App.class)
        .web(WebApplicationType.NONE)
        .properties("spring.config.location=classpath:" + config, "spring.main.banner-mode=off")
        .run().close());
  }

  private static int count(String text, String part) {
    int n = 0;
    for (int i = text.indexOf(part); i >= 0; i = text.indexOf(part, i + part.length())) {
      n++;
    }
    return n;
  }

  @Test
  void aPolicyMistake_isReportedAtItsPropertyAndLine(CapturedOutput output) {
    start("bad-vary-by.yml");
    String out = output.getAll();
    assertTrue(out.contains("APPLICATION FAILED TO START"), out);
    assertTrue(out.contains("Property: apicache.policies[0].vary-by"), out);
    assertTrue(out.contains("Value: \"key:tenant\""), out);
    assertTrue(out.contains("Origin: class path resource [bad-vary-by.yml] - 5:"), out);
    assertEquals(1, count(out, "Reason: varyBy 'key:tenant' names no registered key function"), out);
    assertTrue(!out.contains("Caused by:") && !out.contains("\tat "), "no stack trace: " + out);
    assertTrue(out.contains("Action:"), out);
    assertTrue(!out.contains("varyBy:"), "the user's spelling, not the reader's: " + out);
  }

  @Test
  void aMisspeltField_stopsTheApplication_namingIt(CapturedOutput output) {
    start("misspelt-field.yml");
    String out = output.getAll();
    assertTrue(out.contains("APPLICATION FAILED TO START"), out);
    assertTrue(out.contains("apicache.policies[0].invalidate-onn"), out);
    assertTrue(out.contains("misspelt-field.yml"), out);
  }
}
