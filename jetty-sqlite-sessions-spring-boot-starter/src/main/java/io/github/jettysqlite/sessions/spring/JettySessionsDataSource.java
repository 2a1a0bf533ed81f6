package io.github.jettysqlite.sessions.spring;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.springframework.beans.factory.annotation.Qualifier;

/**
 * Marks the {@code DataSource} bean the PostgreSQL session store uses with {@code
 * jetty.sessions.postgresql.use-application-data-source=true}, where the application has several; without a mark the
 * store takes the primary or only one. The application owns it: the store never closes it.
 */
@Target({ElementType.METHOD, ElementType.TYPE, ElementType.FIELD, ElementType.PARAMETER})
@Retention(RetentionPolicy.RUNTIME)
@Documented
@Qualifier
public @interface JettySessionsDataSource {}
