package dev.apicache.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.apicache.PolicyConfigException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MainTest {
  @Test
  void badCommandLines_explainThemselves() {
    assertTrue(assertThrows(Main.UsageException.class, () -> Main.run(List.of())).getMessage().contains("serve or scenario"));
    assertTrue(assertThrows(Main.UsageException.class, () -> Main.run(List.of("serve", "--port", "x")))
        .getMessage().contains("--port must be a number"));
    assertTrue(assertThrows(Main.UsageException.class, () -> Main.run(List.of("serve", "--port", "70000")))
        .getMessage().contains("[0, 65535]"));
    assertTrue(assertThrows(Main.UsageException.class, () -> Main.run(List.of("scenario", "--duration")))
        .getMessage().contains("needs a value"));
    assertTrue(assertThrows(Main.UsageException.class, () -> Main.run(List.of("scenario", "--fast")))
        .getMessage().contains("unknown option"));
  }

  @Test
  void helpSucceeds() throws Exception {
    assertEquals(0, Main.run(List.of("--help")));
  }

  @Test
  void brokenPolicyFile_isRefusedWithItsName(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("broken.yaml");
    Files.writeString(file, "policies:\n  - path: /api/x\n    ttl: soon\n");
    PolicyConfigException e = assertThrows(PolicyConfigException.class, () -> DemoApi.policies(Optional.of(file)));
    assertTrue(e.getMessage().contains("broken.yaml") && e.getMessage().contains("soon"), e.getMessage());
  }
}
