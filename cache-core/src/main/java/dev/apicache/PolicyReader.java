package dev.apicache;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.util.Locale;
import java.util.Map;

/**
 * The policy file's parser: the one class that touches Jackson, so that {@link PolicyFile} loads
 * without it and can say it is missing. It only turns text into a tree; {@link PolicyTree} checks it.
 */
final class PolicyReader {
  private PolicyReader() {}

  /**
   * Parses policy text; {@code source} names it in errors and picks the format (JSON when it ends in
   * {@code .json}, YAML otherwise).
   */
  static CachePolicies parse(String text, String source, Map<String, KeyFunction> keyFunctions) {
    boolean json = source.toLowerCase(Locale.ROOT).endsWith(".json");
    ObjectMapper mapper = json ? new ObjectMapper() : new ObjectMapper(new YAMLFactory());
    mapper.enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION);
    Object root;
    try {
      root = text.isBlank() ? null : mapper.readValue(text, Object.class);
    } catch (JsonProcessingException e) {
      throw new PolicyConfigException(source + ": not valid " + (json ? "JSON" : "YAML") + ": "
          + e.getOriginalMessage() + location(e), e);
    }
    return PolicyTree.read(root, source, keyFunctions);
  }

  private static String location(JsonProcessingException e) {
    return e.getLocation() == null ? "" : " (line " + e.getLocation().getLineNr() + ", column "
        + e.getLocation().getColumnNr() + ")";
  }
}
