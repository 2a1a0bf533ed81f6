package io.github.jettysqlite.sessions.spring;

import io.github.jettysqlite.sessions.SessionTableDataStoreFactory;
import io.github.jettysqlite.sessions.postgresql.PostgreSQLSessionDataStoreFactory;
import io.github.jettysqlite.sessions.postgresql.PostgreSQLSessionSettings;
import javax.sql.DataSource;
import org.springframework.beans.factory.ListableBeanFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Conditional;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.env.Environment;

/**
 * The PostgreSQL store, when {@code jetty.sessions.postgresql.url} is set (the store's own pool, reporting to the
 * application's Micrometer registry when there is one, through HikariCP's meters) or {@code
 * use-application-data-source} is true (the application's {@code DataSource}), and the PostgreSQL artifact is on the
 * class path.
 */
@Configuration(proxyBeanMethods = false)
@ConditionalOnClass(name = PostgreSQLStoreConfiguration.FACTORY)
@Conditional(JettySessionStoreAutoConfiguration.PostgreSQLRequested.class)
class PostgreSQLStoreConfiguration {
    static final String FACTORY = "io.github.jettysqlite.sessions.postgresql.PostgreSQLSessionDataStoreFactory";

    @Bean
    @ConditionalOnMissingBean(SessionTableDataStoreFactory.class)
    PostgreSQLSessionDataStoreFactory postgresqlSessionDataStoreFactory(
            PostgreSQLSessionsProperties properties,
            ListableBeanFactory beans,
            Environment environment,
            @JettySessionsDataSource ObjectProvider<DataSource> markedDataSource,
            ObjectProvider<DataSource> dataSource) {
        if (environment.containsProperty(SQLiteSessionsProperties.PREFIX + ".file")) {
            throw new IllegalStateException(JettySessionStoreAutoConfiguration.BOTH_STORES);
        }
        properties.requireOneNameEach(environment);
        PostgreSQLSessionSettings settings = properties.isUseApplicationDataSource()
                ? onApplicationDataSource(properties, markedDataSource, dataSource)
                : onOwnPool(properties, beans);
        PostgreSQLSessionDataStoreFactory factory = new PostgreSQLSessionDataStoreFactory(settings);
        properties.applyTo(settings, factory);
        factory.validate();
        return factory;
    }

    /** Settings for the application's data source: the marked one, else the primary or only one. */
    private static PostgreSQLSessionSettings onApplicationDataSource(
            PostgreSQLSessionsProperties properties,
            ObjectProvider<DataSource> markedDataSource,
            ObjectProvider<DataSource> dataSource) {
        if (properties.getUrl() != null) {
            throw new IllegalStateException("Set " + PostgreSQLSessionsProperties.URL + " or "
                    + PostgreSQLSessionsProperties.USE_APPLICATION_DATA_SOURCE + "=true, not both");
        }
        DataSource source = markedDataSource.getIfAvailable(dataSource::getIfUnique);
        if (source == null) {
            throw new IllegalStateException(PostgreSQLSessionsProperties.USE_APPLICATION_DATA_SOURCE + " is true, but"
                    + " the application has no DataSource bean, or several and none marked @Primary or"
                    + " @JettySessionsDataSource");
        }
        PostgreSQLSessionSettings settings = new PostgreSQLSessionSettings();
        settings.setDataSource(source);
        return settings;
    }

    /** Settings for a pool of the store's own on the URL, reporting to the application's registry if it has one. */
    private static PostgreSQLSessionSettings onOwnPool(
            PostgreSQLSessionsProperties properties, ListableBeanFactory beans) {
        PostgreSQLSessionSettings settings = new PostgreSQLSessionSettings(properties.getUrl());
        settings.setUser(properties.getUser());
        settings.setPassword(properties.getPassword());
        settings.setPoolSize(properties.getPoolSize());
        settings.setConnectionTimeoutMs(properties.millis(properties.getConnectionTimeout(), "connection-timeout"));
        settings.setMetricRegistry(MeterRegistries.find(beans));
        return settings;
    }
}
