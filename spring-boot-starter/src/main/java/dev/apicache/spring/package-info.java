/** The Spring Boot 4 starter, {@link dev.apicache.spring.ApiCacheAutoConfiguration}. */
@NullMarked
package dev.apicache.spring;

import org.jspecify.annotations.NullMarked;
