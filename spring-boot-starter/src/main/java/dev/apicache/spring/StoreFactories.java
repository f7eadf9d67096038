package dev.apicache.spring;

import com.hazelcast.core.HazelcastInstance;
import dev.apicache.spi.Store;
import dev.apicache.store.hazelcast.HazelcastStore;
import dev.apicache.store.redis.RedisStore;
import java.time.Duration;
import org.springframework.beans.BeansException;
import org.springframework.beans.factory.ListableBeanFactory;
import org.springframework.core.env.Environment;

/**
 * The shared stores, made only when asked for. Their modules are optional, so each lives in a
 * class of its own that is loaded only once {@link #require} found the module: a Caffeine-only
 * application needs neither Lettuce nor Hazelcast on its class path.
 */
final class StoreFactories {
  private StoreFactories() {}

  /** Fails startup naming the artifact to add when {@code className} is not on the class path. */
  static void require(Environment environment, String className, String artifact) {
    try {
      Class.forName(className, false, StoreFactories.class.getClassLoader());
    } catch (ClassNotFoundException | LinkageError e) {
      throw ApiCacheConfigurationException.at(environment, "apicache.store", "this store needs dev.apicache:"
          + artifact + ", which is not on the class path", "Add dev.apicache:" + artifact
          + " to your application's dependencies (its version comes from apicache-bom).", e);
    }
  }

  /** The Redis store. */
  static final class Redis {
    private Redis() {}

    static Store create(String uri, String keyPrefix, Duration timeout) {
      return RedisStore.builder(uri).keyPrefix(keyPrefix).commandTimeout(timeout).build();
    }
  }

  /** The Hazelcast store over the application's member or client. */
  static final class Hazelcast {
    private Hazelcast() {}

    static Store create(Environment environment, ListableBeanFactory beans) {
      HazelcastInstance instance;
      try {
        instance = beans.getBean(HazelcastInstance.class);
      } catch (BeansException e) {
        throw ApiCacheConfigurationException.at(environment, "apicache.store", "hazelcast needs a"
            + " HazelcastInstance bean: " + e.getMessage(), "Define a HazelcastInstance bean (a member or a"
            + " client), or let Spring Boot's Hazelcast support make one.", e);
      }
      return HazelcastStore.create(instance);
    }
  }
}
