package dev.apicache.it;

import dev.apicache.testing.ApiSurface;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The public API of every published library module but the Spring starter (which checks its own) is
 * the one committed under {@code api/}: an API change is deliberate, and shows in review.
 */
class ApiSurfaceTest {
  @Test
  void everyModulesPublicApi_isTheCommittedOne() throws Exception {
    ApiSurface.check(Map.of(
        "apicache-core", dev.apicache.CacheEngine.class,
        "apicache-store-caffeine", dev.apicache.store.caffeine.CaffeineStore.class,
        "apicache-store-redis", dev.apicache.store.redis.RedisStore.class,
        "apicache-store-hazelcast", dev.apicache.store.hazelcast.HazelcastStore.class,
        "apicache-adapter-servlet", dev.apicache.adapter.servlet.ApiCacheFilter.class,
        "apicache-adapter-javalin", dev.apicache.adapter.javalin.ApiCachePlugin.class,
        "apicache-adapter-helidon", dev.apicache.adapter.helidon.ApiCacheFeature.class,
        "apicache-proxy", dev.apicache.proxy.ApiCacheProxy.class,
        "apicache-micrometer", dev.apicache.micrometer.ApiCacheMetrics.class),
        Path.of("..", "api"), "./mvnw -pl integration-tests test -Dtest=ApiSurfaceTest -Dapi.update=true");
  }
}
