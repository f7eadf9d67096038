package dev.apicache.it;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** The repository's README.md, read as its fenced code blocks. */
final class Readme {
  /** The README, from a module's directory (where the tests run). */
  static final Path FILE = Path.of("..", "README.md");

  /**
   * One fenced block: its language, the README line its text starts on, and its text.
   *
   * @param lang the word after the opening fence, empty when none
   * @param line the 1-based README line of the block's first line of text
   */
  record Block(String lang, int line, String text) {
    /** The block's first line, which names what a YAML block is ({@code # application.yml}). */
    String firstLine() {
      int end = text.indexOf('\n');
      return (end < 0 ? text : text.substring(0, end)).trim();
    }
  }

  private static final Pattern TYPE =
      Pattern.compile("^(?:public )?(?:final |abstract )?(?:class|record|interface|enum) (\\w+)");

  private Readme() {}

  /** Every block fenced with {@code lang}, in order. */
  static List<Block> blocks(String lang) {
    List<String> lines;
    try {
      lines = Files.readAllLines(FILE);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + FILE.toAbsolutePath(), e);
    }
    List<Block> out = new ArrayList<>();
    for (int i = 0; i < lines.size(); i++) {
      String line = lines.get(i);
      if (!line.startsWith("```")) {
        continue;
      }
      String fence = line.substring(3).trim();
      StringBuilder text = new StringBuilder();
      int start = i + 2;
      for (i++; i < lines.size() && !lines.get(i).startsWith("```"); i++) {
        text.append(lines.get(i)).append('\n');
      }
      if (fence.equals(lang)) {
        out.add(new Block(fence, start, text.toString()));
      }
    }
    return out;
  }

  /** The one block of {@code lang} whose first line is {@code firstLine}. */
  static Block named(String lang, String firstLine) {
    List<Block> found = blocks(lang).stream().filter(b -> b.firstLine().equals(firstLine)).toList();
    if (found.size() != 1) {
      throw new IllegalStateException("README.md has " + found.size() + " " + lang + " blocks starting '"
          + firstLine + "', not one");
    }
    return found.get(0);
  }

  /** The name of the one top-level type a Java block declares, if it declares one. */
  static Optional<String> typeName(Block block) {
    for (String line : block.text().split("\n")) {
      Matcher m = TYPE.matcher(line);
      if (m.find()) {
        return Optional.of(m.group(1));
      }
    }
    return Optional.empty();
  }
}
