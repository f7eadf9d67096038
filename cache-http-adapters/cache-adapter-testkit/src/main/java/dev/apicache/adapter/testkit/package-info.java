/**
 * The HTTP conformance suite every adapter passes: {@link dev.apicache.adapter.testkit.AdapterConformance}
 * over {@link dev.apicache.adapter.testkit.ConformanceApp}.
 */
@NullMarked
package dev.apicache.adapter.testkit;

import org.jspecify.annotations.NullMarked;
