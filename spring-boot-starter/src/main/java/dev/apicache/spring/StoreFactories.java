package dev.apicache.spring;

import com.hazelcast.core.HazelcastInstance;
import dev.apicache.spi.Store;
import dev.apicache.store.hazelcast.HazelcastStore;
import dev.apicache.store.redis.RedisStore;
import java.time.Duration;
import org.springframework.beans.BeansException;
import org.springframework.beans.factory.ListableBeanFactory;

/**
 * The shared stores, made only when asked for. Their modules are optional, so each lives in a
 * class of its own that is loaded only once {@link #require} found the module: a Caffeine-only
 * application needs neither Lettuce nor Hazelcast on its class path.
 */
final class StoreFactories {
  private StoreFactories() {}

  /** Fails with one line naming the artifact when {@code className} is not on the class path. */
  static void require(String className, String artifact) {
    try {
      Class.forName(className, false, StoreFactories.class.getClassLoader());
    } catch (ClassNotFoundException | LinkageError e) {
      throw new IllegalStateException("this apicache.store needs dev.apicache:" + artifact + " on the class path");
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

    static Store create(ListableBeanFactory beans) {
      HazelcastInstance instance;
      try {
        instance = beans.getBean(HazelcastInstance.class);
      } catch (BeansException e) {
        throw new IllegalStateException("apicache.store=hazelcast needs a HazelcastInstance bean: " + e.getMessage(),
            e);
      }
      return HazelcastStore.create(instance);
    }
  }
}
