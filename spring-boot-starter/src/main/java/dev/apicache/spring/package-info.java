/** The Spring Boot 4 starter, {@link dev.apicache.spring.ApiCacheAutoConfiguration}. */
package dev.apicache.spring;
