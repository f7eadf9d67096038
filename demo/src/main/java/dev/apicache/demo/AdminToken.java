package dev.apicache.demo;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.Map;
import java.util.Optional;

/** The admin token of {@code serve} and {@code proxy}: from {@code --admin-token-file}, else the environment. */
final class AdminToken {
  /** The environment variable that holds the token when no file is given. */
  static final String VARIABLE = "APICACHE_ADMIN_TOKEN";

  private AdminToken() {}

  /** The token the file holds, or the one {@link #VARIABLE} holds, checked; empty when neither is given. */
  static Optional<String> read(Optional<Path> file, Map<String, String> environment) {
    Optional<String> token = file.isPresent() ? Optional.of(fromFile(file.get()))
        : Optional.ofNullable(environment.get(VARIABLE)).map(String::strip).filter(t -> !t.isEmpty());
    if (token.isPresent() && token.get().length() < 16) {
      throw new Main.UsageException("the admin token must be at least 16 characters but has " + token.get().length());
    }
    return token;
  }

  /** A fresh random token, for a demo that was given none: 144 bits, URL-safe. */
  /** Whether {@code authorization} is {@code Bearer <token>}, compared in constant time. */
  static boolean matches(String token, String authorization) {
    return java.security.MessageDigest.isEqual(("Bearer " + token).getBytes(java.nio.charset.StandardCharsets.UTF_8),
        authorization.getBytes(java.nio.charset.StandardCharsets.UTF_8));
  }

  static String random() {
    byte[] bytes = new byte[18];
    new SecureRandom().nextBytes(bytes);
    return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
  }

  private static String fromFile(Path file) {
    try {
      String token = Files.readString(file, StandardCharsets.UTF_8).strip();
      if (token.isEmpty()) {
        throw new Main.UsageException("--admin-token-file " + file + " is empty");
      }
      return token;
    } catch (NoSuchFileException e) {
      throw new Main.UsageException("--admin-token-file " + file + " does not exist");
    } catch (IOException e) {
      throw new Main.UsageException("--admin-token-file " + file + " cannot be read: " + e.getMessage());
    }
  }
}
