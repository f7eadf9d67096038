package dev.apicache.spring;

import static java.util.Objects.requireNonNull;

import com.hazelcast.core.HazelcastInstance;
import dev.apicache.spi.Store;
import dev.apicache.store.hazelcast.HazelcastStore;
import dev.apicache.store.redis.RedisStore;
import io.lettuce.core.SslOptions;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.jspecify.annotations.Nullable;
import org.springframework.beans.BeansException;
import org.springframework.beans.factory.ListableBeanFactory;
import org.springframework.boot.data.redis.autoconfigure.DataRedisConnectionDetails;
import org.springframework.boot.ssl.SslBundle;
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

  /**
   * The Redis store, at the server Spring Boot's own Redis connection details name (properties,
   * or a {@code @ServiceConnection}), or from {@code spring.data.redis.*} alone when the application
   * has no Spring Data Redis.
   */
  static final class Redis {
    private static final String DETAILS = "org.springframework.boot.data.redis.autoconfigure.DataRedisConnectionDetails";

    private Redis() {}

    static Store create(Environment environment, ListableBeanFactory beans, String keyPrefix, Duration timeout) {
      RedisStore.Builder builder = null;
      if (isPresent(DETAILS)) {
        builder = BootDetails.builder(environment, beans);
      }
      if (builder == null) {
        builder = RedisStore.builder(ApiCacheAutoConfiguration.redisUri(environment));
      }
      return builder.keyPrefix(keyPrefix).commandTimeout(timeout).build();
    }
  }

  /** Spring Boot's {@code DataRedisConnectionDetails}: loaded only where spring-boot-data-redis is. */
  static final class BootDetails {
    private BootDetails() {}

    /** A builder at the details' server, or null when the application defines none. */
    static RedisStore.@Nullable Builder builder(Environment environment, ListableBeanFactory beans) {
      DataRedisConnectionDetails details = beans.getBeanProvider(DataRedisConnectionDetails.class).getIfAvailable();
      if (details == null) {
        return null;
      }
      SslBundle bundle = details.getSslBundle();
      boolean tls = bundle != null || environment.getProperty("spring.data.redis.ssl.enabled", Boolean.class, false);
      String credentials = credentials(details.getUsername(), details.getPassword());
      RedisStore.Builder builder;
      if (details.getMasterReplica() != null) {
        throw ApiCacheConfigurationException.at(environment, "spring.data.redis.masterreplica.nodes",
            "apicache's Redis store connects to a standalone server, Sentinel or a Cluster, not to a static"
                + " master/replica set", "Point apicache at the master (standalone) or at Sentinel.", null);
      } else if (details.getCluster() != null) {
        List<String> nodes = new ArrayList<>();
        for (DataRedisConnectionDetails.Node n : details.getCluster().getNodes()) {
          nodes.add((tls ? "rediss://" : "redis://") + credentials + n.host() + ":" + n.port());
        }
        builder = RedisStore.cluster(nodes);
      } else if (details.getSentinel() != null) {
        DataRedisConnectionDetails.Sentinel sentinel = details.getSentinel();
        StringBuilder uri = new StringBuilder(tls ? "rediss-sentinel://" : "redis-sentinel://").append(credentials);
        for (int i = 0; i < sentinel.getNodes().size(); i++) {
          DataRedisConnectionDetails.Node n = sentinel.getNodes().get(i);
          uri.append(i == 0 ? "" : ",").append(n.host()).append(':').append(n.port());
        }
        uri.append('/').append(sentinel.getDatabase()).append('#').append(sentinel.getMaster());
        builder = RedisStore.builder(uri.toString());
      } else {
        DataRedisConnectionDetails.Standalone standalone = requireNonNull(details.getStandalone(),
            "connection details name a standalone server when they name no cluster and no sentinel");
        builder = RedisStore.builder((tls ? "rediss://" : "redis://") + credentials + standalone.getHost() + ":"
            + standalone.getPort() + "/" + standalone.getDatabase());
      }
      if (bundle != null) {
        builder.sslOptions(sslOptions(bundle));
      }
      return builder;
    }

    private static String credentials(@Nullable String user, @Nullable String password) {
      if (password == null) {
        return "";
      }
      return (user == null ? "" : encode(user)) + ":" + encode(password) + "@";
    }

    private static String encode(String part) {
      return URLEncoder.encode(part, StandardCharsets.UTF_8).replace("+", "%20");
    }

    private static SslOptions sslOptions(SslBundle bundle) {
      SslOptions.Builder ssl = SslOptions.builder().jdkSslProvider()
          .keyManager(bundle.getManagers().getKeyManagerFactory())
          .trustManager(bundle.getManagers().getTrustManagerFactory());
      if (bundle.getOptions().getEnabledProtocols() != null) {
        ssl.protocols(bundle.getOptions().getEnabledProtocols());
      }
      if (bundle.getOptions().getCiphers() != null) {
        ssl.cipherSuites(bundle.getOptions().getCiphers());
      }
      return ssl.build();
    }
  }

  private static boolean isPresent(String className) {
    try {
      Class.forName(className, false, StoreFactories.class.getClassLoader());
      return true;
    } catch (ClassNotFoundException | LinkageError e) {
      return false;
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
