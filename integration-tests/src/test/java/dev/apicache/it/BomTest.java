package dev.apicache.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The BOM has no parent, so it names the Jackson version itself: it must be the one the modules are
 * built and tested with, and it manages every artifact the README tells users to add.
 */
class BomTest {
  private static String property(Path pom, String name) throws Exception {
    Matcher m = Pattern.compile("<" + Pattern.quote(name) + ">([^<]+)</" + Pattern.quote(name) + ">")
        .matcher(Files.readString(pom));
    assertTrue(m.find(), pom + " has no <" + name + ">");
    return m.group(1).trim();
  }

  @Test
  void theBomsJackson_isTheBuildsJackson() throws Exception {
    assertEquals(property(Path.of("..", "pom.xml"), "jackson.version"),
        property(Path.of("..", "bom", "pom.xml"), "jackson.version"));
  }

  @Test
  void everyArtifactTheReadmesSnippetLeavesWithoutAVersion_isInTheBom() throws Exception {
    String bom = Files.readString(Path.of("..", "bom", "pom.xml"));
    String readme = Files.readString(Readme.FILE);
    String snippet = readme.substring(readme.indexOf("<!-- readme-check: maven -->"));
    snippet = snippet.substring(snippet.indexOf("</dependencyManagement>")); // the project's own dependencies
    snippet = snippet.substring(snippet.indexOf("<dependencies>"), snippet.indexOf("</dependencies>"));
    Matcher dependency = Pattern.compile("<dependency>(.*?)</dependency>", Pattern.DOTALL).matcher(snippet);
    int unversioned = 0;
    while (dependency.find()) {
      String d = dependency.group(1);
      if (!d.contains("<version>")) {
        unversioned++;
        Matcher artifact = Pattern.compile("<artifactId>([^<]+)</artifactId>").matcher(d);
        assertTrue(artifact.find(), d);
        assertTrue(bom.contains("<artifactId>" + artifact.group(1) + "</artifactId>"),
            "the README leaves " + artifact.group(1) + " to the BOM, which does not manage it");
      }
    }
    assertTrue(unversioned >= 3, "the snippet's unversioned dependencies: " + unversioned);
  }
}
