package dev.apicache.demo;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.apicache.spi.Store;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class DemoStoreTest {
  /**
   * The wrapper that owns the demo's Hazelcast member forwards every Store method: a default left
   * in place runs the SPI's generic version instead of the store's own (getWatching made two
   * Hazelcast calls per hit where the store makes one), and the figures measured the wrapper.
   */
  @Test
  void theMemberOwningStore_forwardsEveryStoreMethod() throws Exception {
    Class<?> wrapper = Class.forName(DemoStore.class.getName() + "$MemberOwningStore");
    List<String> missing = new ArrayList<>();
    for (Method m : Store.class.getMethods()) {
      if (Modifier.isStatic(m.getModifiers())) {
        continue;
      }
      try {
        wrapper.getDeclaredMethod(m.getName(), m.getParameterTypes());
      } catch (NoSuchMethodException e) {
        missing.add(m.toString());
      }
    }
    assertEquals(List.of(), missing);
  }
}
