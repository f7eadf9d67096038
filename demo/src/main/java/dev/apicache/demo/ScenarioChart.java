package dev.apicache.demo;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.function.ToDoubleFunction;
import javax.imageio.ImageIO;

/** Draws the scenario's hit rate and p99 latency per second, with the writes marked, as a PNG. */
final class ScenarioChart {
  /** One second of a run. */
  record Sample(int second, double hitRate, double p99Millis, boolean write) {}

  private static final int W = 960;
  private static final int H = 420;
  private static final int LEFT = 70;
  private static final int RIGHT = 70;
  private static final int TOP = 50;
  private static final int BOTTOM = 50;

  private ScenarioChart() {}

  static void write(Path file, String title, List<Sample> samples) throws IOException {
    System.setProperty("java.awt.headless", "true");
    BufferedImage image = new BufferedImage(W, H, BufferedImage.TYPE_INT_RGB);
    Graphics2D g = image.createGraphics();
    g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
    g.setColor(Color.WHITE);
    g.fillRect(0, 0, W, H);
    int plotW = W - LEFT - RIGHT;
    int plotH = H - TOP - BOTTOM;
    int seconds = Math.max(1, samples.size());
    // the first second (a cold JVM) would flatten the rest: the axis fits the warm seconds, colder ones clip
    double maxP99 = Math.max(1, samples.stream().filter(s -> s.second() >= 1).mapToDouble(Sample::p99Millis).max()
        .orElse(samples.stream().mapToDouble(Sample::p99Millis).max().orElse(1)) * 1.2);

    g.setColor(new Color(230, 230, 230));
    for (int i = 0; i <= 4; i++) {
      int y = TOP + plotH * i / 4;
      g.drawLine(LEFT, y, LEFT + plotW, y);
    }
    g.setColor(new Color(255, 200, 120));
    for (Sample s : samples) {
      if (s.write()) {
        int x = LEFT + plotW * s.second() / seconds;
        g.drawLine(x, TOP, x, TOP + plotH);
      }
    }
    g.setStroke(new BasicStroke(2f));
    g.setColor(new Color(30, 110, 200));
    polyline(g, samples, seconds, plotW, plotH, s -> s.hitRate());
    g.setColor(new Color(200, 60, 60));
    polyline(g, samples, seconds, plotW, plotH, s -> s.p99Millis() / maxP99);

    g.setColor(Color.DARK_GRAY);
    g.setStroke(new BasicStroke(1f));
    g.drawRect(LEFT, TOP, plotW, plotH);
    g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
    for (int i = 0; i <= 4; i++) {
      int y = TOP + plotH - plotH * i / 4;
      g.drawString((i * 25) + "%", LEFT - 40, y + 4);
      g.drawString(String.format("%.1f ms", maxP99 * i / 4), LEFT + plotW + 8, y + 4);
    }
    for (int s = 0; s <= seconds; s += Math.max(1, seconds / 10)) {
      g.drawString(s + " s", LEFT + plotW * s / seconds - 8, TOP + plotH + 18);
    }
    g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 14));
    g.drawString(title, LEFT, 25);
    g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
    g.setColor(new Color(30, 110, 200));
    g.drawString("hit rate per second (left)", LEFT, TOP + plotH + 38);
    g.setColor(new Color(200, 60, 60));
    g.drawString("p99 latency per second (right)", LEFT + 220, TOP + plotH + 38);
    g.setColor(new Color(220, 140, 40));
    g.drawString("a write (invalidates)", LEFT + 460, TOP + plotH + 38);
    g.dispose();
    ImageIO.write(image, "png", file.toFile());
  }

  private static void polyline(Graphics2D g, List<Sample> samples, int seconds, int plotW, int plotH,
      ToDoubleFunction<Sample> value) {
    int px = -1;
    int py = -1;
    for (Sample s : samples) {
      int x = LEFT + plotW * s.second() / seconds;
      int y = TOP + plotH - (int) Math.round(plotH * Math.min(1, Math.max(0, value.applyAsDouble(s))));
      if (px >= 0) {
        g.drawLine(px, py, x, y);
      }
      px = x;
      py = y;
    }
  }
}
