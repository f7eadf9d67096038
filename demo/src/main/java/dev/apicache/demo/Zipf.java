package dev.apicache.demo;

import java.util.Arrays;
import java.util.concurrent.ThreadLocalRandom;

/** Picks ranks 1..n with probability proportional to 1 / rank^s: a few hot keys, a long tail. */
final class Zipf {
  private final double[] cumulative;

  Zipf(int n, double s) {
    cumulative = new double[n];
    double sum = 0;
    for (int i = 0; i < n; i++) {
      sum += 1.0 / Math.pow(i + 1, s);
      cumulative[i] = sum;
    }
    for (int i = 0; i < n; i++) {
      cumulative[i] /= sum;
    }
  }

  /** A rank in [1, n]. */
  int next() {
    int i = Arrays.binarySearch(cumulative, ThreadLocalRandom.current().nextDouble());
    return (i >= 0 ? i : -i - 1) + 1;
  }
}
