package dev.apicache.testing;

import java.io.IOException;
import java.lang.module.ModuleDescriptor;
import java.lang.module.ModuleFinder;
import java.lang.reflect.Constructor;
import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystem;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;

/**
 * Checks modules' public API against a baseline committed in the repository ({@code api/*.api}, one
 * sorted line per public or protected type and member), so that a change to what users can call
 * fails the build until the baseline is updated with it, and every API change shows in review.
 */
public final class ApiSurface {
  private ApiSurface() {}

  /**
   * Fails unless each module's API (the module named by its artifact, located by one of its classes)
   * is the one in {@code baseline}; with {@code -Dapi.update=true} writes it there instead.
   * {@code update} says in the failure how to update.
   */
  public static void check(Map<String, Class<?>> modules, Path baseline, String update) throws Exception {
    boolean write = Boolean.getBoolean("api.update");
    List<String> changed = new ArrayList<>();
    for (Map.Entry<String, Class<?>> module : new java.util.TreeMap<>(modules).entrySet()) {
      String surface = surface(module.getValue());
      Path file = baseline.resolve(module.getKey() + ".api");
      String committed = Files.exists(file) ? Files.readString(file, StandardCharsets.UTF_8) : "";
      if (!surface.equals(committed)) {
        if (write) {
          Files.createDirectories(baseline);
          Files.writeString(file, surface, StandardCharsets.UTF_8);
        } else {
          changed.add(module.getKey() + ": " + difference(committed, surface));
        }
      }
    }
    if (!changed.isEmpty()) {
      throw new AssertionError("the public API differs from " + baseline + "; if the change is meant, update the"
          + " baseline (" + update + ") and commit it:\n" + String.join("\n", changed));
    }
  }

  /** Lines only in one side, a few of each. */
  private static String difference(String committed, String now) {
    TreeSet<String> before = new TreeSet<>(committed.lines().toList());
    TreeSet<String> after = new TreeSet<>(now.lines().toList());
    List<String> out = new ArrayList<>();
    after.stream().filter(l -> !before.contains(l)).limit(10).forEach(l -> out.add("  + " + l));
    before.stream().filter(l -> !after.contains(l)).limit(10).forEach(l -> out.add("  - " + l));
    return "\n" + String.join("\n", out);
  }

  /**
   * The public and protected API of the module that holds {@code anchor}, one sorted line per member:
   * its module declaration's exports, then the types of the packages it exports to everyone. A
   * package exported to named modules only (apicache's own) is not API.
   */
  private static String surface(Class<?> anchor) throws IOException, URISyntaxException, ClassNotFoundException {
    Path location = Path.of(anchor.getProtectionDomain().getCodeSource().getLocation().toURI());
    TreeSet<String> lines = new TreeSet<>();
    ModuleDescriptor module = ModuleFinder.of(location).findAll().iterator().next().descriptor();
    if (module.isAutomatic()) {
      throw new AssertionError(location + " has no module declaration (module-info.java)");
    }
    Set<String> exported = new TreeSet<>();
    for (ModuleDescriptor.Exports e : module.exports()) {
      lines.add(" module " + module.name() + " exports " + e.source()
          + (e.isQualified() ? " to " + new TreeSet<>(e.targets()) : ""));
      if (!e.isQualified()) {
        exported.add(e.source());
      }
    }
    try (FileSystem jar = Files.isDirectory(location) ? null : FileSystems.newFileSystem(location)) {
      Path root = jar == null ? location : jar.getPath("/");
      List<String> names;
      try (Stream<Path> files = Files.walk(root)) {
        names = files.map(p -> root.relativize(p).toString())
            .filter(n -> n.endsWith(".class") && !n.endsWith("module-info.class") && !n.endsWith("package-info.class")
                && !n.startsWith("META-INF"))
            .map(n -> n.substring(0, n.length() - ".class".length()).replace('/', '.'))
            .toList();
      }
      for (String name : names) {
        Class<?> type = Class.forName(name, false, anchor.getClassLoader());
        if (!visible(type) || !exported.contains(type.getPackageName())) {
          continue;
        }
        String owner = type.getName();
        lines.add(owner + " = " + declaration(type)); // "=" sorts the type before its members
        for (Field f : type.getDeclaredFields()) {
          if (exposed(f.getModifiers()) && !f.isSynthetic()) {
            lines.add(owner + " field " + f.toGenericString());
          }
        }
        for (Constructor<?> c : type.getDeclaredConstructors()) {
          if (exposed(c.getModifiers()) && !c.isSynthetic() && !type.isEnum()) {
            lines.add(owner + " new " + c.toGenericString());
          }
        }
        for (Method m : type.getDeclaredMethods()) {
          if (exposed(m.getModifiers()) && !m.isSynthetic() && !m.isBridge()) {
            lines.add(owner + " method " + m.toGenericString());
          }
        }
      }
    }
    return String.join("\n", lines) + "\n";
  }

  /** A type users can name: public, and every enclosing type public too. */
  private static boolean visible(Class<?> type) {
    for (Class<?> t = type; t != null; t = t.getEnclosingClass()) {
      if (!Modifier.isPublic(t.getModifiers()) || t.isAnonymousClass() || t.isLocalClass() || t.isSynthetic()) {
        return false;
      }
    }
    return true;
  }

  private static boolean exposed(int modifiers) {
    return Modifier.isPublic(modifiers) || Modifier.isProtected(modifiers);
  }

  private static String declaration(Class<?> type) {
    StringBuilder b = new StringBuilder(Modifier.toString(type.getModifiers() & ~Modifier.INTERFACE & ~Modifier.STATIC))
        .append(type.isAnnotation() ? " @interface" : type.isInterface() ? " interface" : type.isEnum() ? " enum"
            : type.isRecord() ? " record" : " class");
    if (type.getGenericSuperclass() != null && type.getSuperclass() != Object.class && !type.isEnum()
        && !type.isRecord()) {
      b.append(" extends ").append(type.getGenericSuperclass().getTypeName());
    }
    if (type.getGenericInterfaces().length > 0) {
      b.append(type.isInterface() ? " extends " : " implements ");
      List<String> names = new ArrayList<>();
      for (java.lang.reflect.Type t : type.getGenericInterfaces()) {
        names.add(t.getTypeName());
      }
      b.append(String.join(", ", names));
    }
    if (type.isSealed()) {
      List<String> permitted = new ArrayList<>();
      for (Class<?> p : type.getPermittedSubclasses()) {
        permitted.add(p.getName());
      }
      b.append(" permits ").append(String.join(", ", permitted));
    }
    return b.toString().trim();
  }
}
