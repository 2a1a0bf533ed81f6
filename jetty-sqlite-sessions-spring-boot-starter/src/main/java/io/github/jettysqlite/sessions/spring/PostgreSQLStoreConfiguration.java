package io.github.jettysqlite.sessions.spring;

import io.github.jettysqlite.sessions.SessionTableDataStoreFactory;
import io.github.jettysqlite.sessions.postgresql.PostgreSQLSessionDataStoreFactory;
import io.github.jettysqlite.sessions.postgresql.PostgreSQLSessionSettings;
import org.springframework.beans.factory.ListableBeanFactory;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.env.Environment;

/**
 * The PostgreSQL store, when {@code jetty.sessions.postgresql.url} is set and the PostgreSQL artifact is on the class
 * path. Its pool reports to the application's Micrometer registry, when there is one, through HikariCP's own meters.
 */
@Configuration(proxyBeanMethods = false)
@ConditionalOnClass(name = PostgreSQLStoreConfiguration.FACTORY)
@ConditionalOnProperty(prefix = PostgreSQLSessionsProperties.PREFIX, name = "url")
class PostgreSQLStoreConfiguration {
    static final String FACTORY = "io.github.jettysqlite.sessions.postgresql.PostgreSQLSessionDataStoreFactory";

    @Bean
    @ConditionalOnMissingBean(SessionTableDataStoreFactory.class)
    PostgreSQLSessionDataStoreFactory postgresqlSessionDataStoreFactory(
            PostgreSQLSessionsProperties properties, ListableBeanFactory beans, Environment environment) {
        if (environment.containsProperty(SQLiteSessionsProperties.PREFIX + ".file")) {
            throw new IllegalStateException(JettySessionStoreAutoConfiguration.BOTH_STORES);
        }
        PostgreSQLSessionSettings settings = new PostgreSQLSessionSettings(properties.getUrl());
        settings.setUser(properties.getUser());
        settings.setPassword(properties.getPassword());
        settings.setPoolSize(properties.getPoolSize());
        settings.setConnectionTimeoutMs(properties.getConnectionTimeoutMs());
        settings.setMetricRegistry(MeterRegistries.find(beans));
        PostgreSQLSessionDataStoreFactory factory = new PostgreSQLSessionDataStoreFactory(settings);
        properties.applyTo(settings, factory);
        factory.validate();
        return factory;
    }
}
