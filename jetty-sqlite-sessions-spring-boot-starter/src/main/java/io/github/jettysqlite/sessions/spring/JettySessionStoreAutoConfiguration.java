package io.github.jettysqlite.sessions.spring;

import io.github.jettysqlite.sessions.SQLiteSessionDataStoreFactory;
import io.github.jettysqlite.sessions.SessionTableDataStoreFactory;
import io.github.jettysqlite.sessions.metrics.SessionStoreMetrics;
import io.micrometer.core.instrument.binder.MeterBinder;
import org.eclipse.jetty.session.AbstractSessionCacheFactory;
import org.eclipse.jetty.session.SessionCacheFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.AnyNestedCondition;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Conditional;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Import;
import org.springframework.core.env.Environment;

/**
 * Keeps the servlet sessions of a Spring Boot application on Jetty in SQLite ({@code jetty.sessions.sqlite.file}) or
 * PostgreSQL ({@code jetty.sessions.postgresql.url} or {@code .use-application-data-source}): the store's factory
 * becomes a bean on Boot's Jetty server, where every context's session handler finds it, and, with Micrometer
 * present, its meters are bound. The session cache's factory ({@code jetty.sessions.cache}, coherent unless set) goes
 * on the server beside it. {@code jetty.sessions.enabled=false} switches all of it off.
 *
 * <p>An application that declares its own store or cache factory bean keeps it; the properties then only need to be
 * absent. A property that cannot take effect stops the application with the reason, rather than leaving its sessions
 * in memory unnoticed: both stores set, PostgreSQL asked for without the PostgreSQL artifact, or a web server that is
 * not Jetty ({@link StoreOnJettyCheck}).
 */
@AutoConfiguration
@ConditionalOnWebApplication(type = ConditionalOnWebApplication.Type.SERVLET)
@Conditional(JettySessionStoreAutoConfiguration.JettyWebApplications.class)
@ConditionalOnProperty(prefix = SessionCacheProperties.PREFIX, name = "enabled", matchIfMissing = true)
@EnableConfigurationProperties({
    SQLiteSessionsProperties.class,
    PostgreSQLSessionsProperties.class,
    SessionCacheProperties.class
})
@Import(PostgreSQLStoreConfiguration.class)
public class JettySessionStoreAutoConfiguration {
    static final String BOTH_STORES = "Set either " + SQLiteSessionsProperties.PREFIX + ".file or the PostgreSQL"
            + " store (" + PostgreSQLSessionsProperties.URL + " or "
            + PostgreSQLSessionsProperties.USE_APPLICATION_DATA_SOURCE
            + "), not both: an application's sessions live in one store";

    @Bean
    @ConditionalOnProperty(prefix = SQLiteSessionsProperties.PREFIX, name = "file")
    @ConditionalOnMissingBean(SessionTableDataStoreFactory.class)
    SQLiteSessionDataStoreFactory sqliteSessionDataStoreFactory(
            SQLiteSessionsProperties properties, Environment environment) {
        if (postgresqlRequested(environment)) {
            throw new IllegalStateException(BOTH_STORES);
        }
        return properties.toFactory(environment);
    }

    /**
     * The session cache's factory, made whether or not a store is configured (it costs nothing), and put on the
     * server only beside a store of this library: the coherent cache works with no other.
     */
    @Bean
    @ConditionalOnMissingBean(SessionCacheFactory.class)
    AbstractSessionCacheFactory jettySessionCacheFactory(SessionCacheProperties properties) {
        return properties.toFactory();
    }

    /** The PostgreSQL store asked for without the artifact that makes it would otherwise be ignored. */
    @Bean
    @Conditional(PostgreSQLRequested.class)
    @ConditionalOnMissingClass(PostgreSQLStoreConfiguration.FACTORY)
    Object postgresqlSessionStoreArtifactMissing() {
        throw new IllegalStateException("The PostgreSQL session store is asked for (" + PostgreSQLSessionsProperties.URL
                + " or " + PostgreSQLSessionsProperties.USE_APPLICATION_DATA_SOURCE + "), but"
                + " io.github.jettysqlite:jetty-sqlite-sessions-postgresql is not on the class path: add that"
                + " dependency, or remove the property");
    }

    @Bean
    static StoreOnJettyCheck jettySessionStoreOnJettyCheck() {
        return new StoreOnJettyCheck();
    }

    /** Puts the factories on Boot's Jetty server (whichever Boot this is: its customizer type moved in 4.0). */
    @Bean
    static JettyServerCustomizerRegistrar jettySessionStoreServerCustomizerRegistrar() {
        return new JettyServerCustomizerRegistrar();
    }

    /** Whether the PostgreSQL store is asked for: a URL, or the application's data source. */
    static boolean postgresqlRequested(Environment environment) {
        return environment.containsProperty(PostgreSQLSessionsProperties.URL)
                || environment.getProperty(
                        PostgreSQLSessionsProperties.USE_APPLICATION_DATA_SOURCE, Boolean.class, false);
    }

    /** {@link #postgresqlRequested}, as a condition. */
    static final class PostgreSQLRequested extends AnyNestedCondition {
        PostgreSQLRequested() {
            super(ConfigurationPhase.REGISTER_BEAN);
        }

        @ConditionalOnProperty(prefix = PostgreSQLSessionsProperties.PREFIX, name = "url")
        static final class Url {}

        @ConditionalOnProperty(
                prefix = PostgreSQLSessionsProperties.PREFIX,
                name = "use-application-data-source",
                havingValue = "true")
        static final class ApplicationDataSource {}
    }

    /**
     * Jetty's web applications as Boot's Jetty starter brings them: {@code ee10} with Boot 3.5, {@code ee11} with
     * 4.0. Jetty's server classes alone prove nothing, since this starter brings them to a Tomcat application too.
     */
    static final class JettyWebApplications extends AnyNestedCondition {
        JettyWebApplications() {
            super(ConfigurationPhase.PARSE_CONFIGURATION);
        }

        @ConditionalOnClass(name = "org.eclipse.jetty.ee10.webapp.WebAppContext")
        static final class Ee10 {}

        @ConditionalOnClass(name = "org.eclipse.jetty.ee11.webapp.WebAppContext")
        static final class Ee11 {}
    }

    /**
     * Binds the stores' meters to the application's registry. The factory is looked up when the registry binds, not
     * when this configuration is read: the factory beans above are defined after this nested class is.
     */
    @Configuration(proxyBeanMethods = false)
    @ConditionalOnClass(name = MeterRegistries.METER_REGISTRY)
    static class Metrics {
        @Bean
        MeterBinder jettySessionStoreMetrics(ObjectProvider<SessionTableDataStoreFactory<?>> factories) {
            return registry -> factories.ifAvailable(factory -> new SessionStoreMetrics(factory).bindTo(registry));
        }
    }
}
