package dev.apicache.spring;

import dev.apicache.testing.ApiSurface;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The starter's public API is the one committed under {@code api/}: an API change is deliberate. */
class StarterApiSurfaceTest {
  @Test
  void theStartersPublicApi_isTheCommittedOne() throws Exception {
    ApiSurface.check(Map.of("apicache-spring-boot-starter", ApiCacheInvalidator.class), Path.of("..", "api"),
        "./mvnw -pl spring-boot-starter test -Dtest=StarterApiSurfaceTest -Dapi.update=true");
  }
}
