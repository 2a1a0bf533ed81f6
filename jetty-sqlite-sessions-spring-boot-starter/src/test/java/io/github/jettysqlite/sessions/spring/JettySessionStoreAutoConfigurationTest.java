package io.github.jettysqlite.sessions.spring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.jettysqlite.sessions.CoherentSessionCache;
import io.github.jettysqlite.sessions.CoherentSessionCacheFactory;
import io.github.jettysqlite.sessions.SQLiteSessionDataStore;
import io.github.jettysqlite.sessions.SQLiteSessionDataStoreFactory;
import io.github.jettysqlite.sessions.SQLiteSessionSettings;
import io.github.jettysqlite.sessions.SessionTableDataStoreFactory;
import io.github.jettysqlite.sessions.postgresql.PostgreSQLSessionDataStoreFactory;
import io.github.jettysqlite.sessions.postgresql.PostgreSQLSessionSettings;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Files;
import java.nio.file.Path;
import javax.sql.DataSource;
import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.eclipse.jetty.ee10.servlet.SessionHandler;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.session.AbstractSessionCacheFactory;
import org.eclipse.jetty.session.DefaultSessionCache;
import org.eclipse.jetty.session.DefaultSessionCacheFactory;
import org.eclipse.jetty.session.FileSessionDataStore;
import org.eclipse.jetty.session.SessionCache;
import org.eclipse.jetty.session.SessionCacheFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;
import org.postgresql.ds.PGSimpleDataSource;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.test.context.runner.WebApplicationContextRunner;
import org.springframework.boot.web.embedded.jetty.JettyServerCustomizer;
import org.springframework.context.ApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.event.ContextRefreshedEvent;
import org.springframework.context.support.GenericApplicationContext;

/**
 * What the auto-configuration makes of an application's properties, in Boot's own context runner: the store and the
 * session cache it builds with every setting applied, what its customizer puts on the Jetty server, when it stands
 * aside, and the misconfigurations that stop the application.
 */
class JettySessionStoreAutoConfigurationTest {
    private final WebApplicationContextRunner runner = new WebApplicationContextRunner()
            .withConfiguration(AutoConfigurations.of(JettySessionStoreAutoConfiguration.class));

    @TempDir
    Path dir;

    @Test
    void anSQLiteFileMakesTheStoreWithEverySettingApplied() throws Exception {
        Path key = Files.write(dir.resolve("attribute.key"), new byte[32]);
        runner.withPropertyValues(
                        "jetty.sessions.sqlite.file=" + dir.resolve("boot.db"),
                        "jetty.sessions.sqlite.synchronous=full",
                        "jetty.sessions.sqlite.busy-timeout=1234ms",
                        "jetty.sessions.sqlite.max-readers=3",
                        "jetty.sessions.sqlite.checkpoints=external",
                        "jetty.sessions.sqlite.table=boot_sessions",
                        "jetty.sessions.sqlite.schema-mode=validate",
                        "jetty.sessions.sqlite.record-principal=false",
                        "jetty.sessions.sqlite.principal-attribute=user",
                        "jetty.sessions.sqlite.save-in-place-changes=false",
                        "jetty.sessions.sqlite.refuse-failed-saves=false",
                        "jetty.sessions.sqlite.save-period=7s",
                        "jetty.sessions.sqlite.grace-period=2h",
                        "jetty.sessions.sqlite.max-session-lifetime=12h",
                        "jetty.sessions.sqlite.attribute-key=file:" + key,
                        "jetty.sessions.sqlite.encrypt-attributes=true")
                .run(context -> {
                    assertThat(context).hasNotFailed().hasSingleBean(SQLiteSessionDataStoreFactory.class);
                    SQLiteSessionDataStoreFactory factory = context.getBean(SQLiteSessionDataStoreFactory.class);
                    SQLiteSessionSettings settings = factory.getSettings();
                    assertThat(settings.getDatabaseFile())
                            .isEqualTo(dir.resolve("boot.db").toString());
                    assertThat(settings.getSynchronous()).isEqualTo("FULL");
                    assertThat(settings.getBusyTimeoutMs()).isEqualTo(1234);
                    assertThat(settings.getMaxReaders()).isEqualTo(3);
                    assertThat(settings.getCheckpoints()).isEqualTo("EXTERNAL");
                    assertThat(settings.getTableName()).isEqualTo("boot_sessions");
                    assertThat(settings.getSchemaMode()).isEqualTo("VALIDATE");
                    assertThat(settings.isRecordPrincipal()).isFalse();
                    assertThat(settings.getPrincipalAttribute()).isEqualTo("user");
                    assertThat(settings.isSaveInPlaceChanges()).isFalse();
                    assertThat(settings.isRefuseFailedSaves()).isFalse();
                    assertThat(factory.getSavePeriodSec()).isEqualTo(7);
                    assertThat(factory.getGracePeriodSec()).isEqualTo(7200);
                    assertThat(settings.getMaxSessionLifetimeSec()).isEqualTo(12 * 3600);
                    assertThat(settings.getAttributeKey()).isEqualTo("file:" + key);
                    assertThat(settings.isEncryptAttributes()).isTrue();
                });
    }

    @Test
    void theOldNumericNamesStillWork() {
        runner.withPropertyValues(
                        "jetty.sessions.sqlite.file=" + dir.resolve("boot.db"),
                        "jetty.sessions.sqlite.busy-timeout-ms=1234",
                        "jetty.sessions.sqlite.save-period-sec=7",
                        "jetty.sessions.sqlite.grace-period-sec=99")
                .run(context -> {
                    SQLiteSessionDataStoreFactory factory = context.getBean(SQLiteSessionDataStoreFactory.class);
                    assertThat(factory.getSettings().getBusyTimeoutMs()).isEqualTo(1234);
                    assertThat(factory.getSavePeriodSec()).isEqualTo(7);
                    assertThat(factory.getGracePeriodSec()).isEqualTo(99);
                });
    }

    @Test
    void aBareNumberTakesTheUnitOfTheOldName() {
        runner.withPropertyValues(
                        "jetty.sessions.sqlite.file=" + dir.resolve("boot.db"),
                        "jetty.sessions.sqlite.busy-timeout=250",
                        "jetty.sessions.sqlite.save-period=3")
                .run(context -> {
                    SQLiteSessionDataStoreFactory factory = context.getBean(SQLiteSessionDataStoreFactory.class);
                    assertThat(factory.getSettings().getBusyTimeoutMs()).isEqualTo(250);
                    assertThat(factory.getSavePeriodSec()).isEqualTo(3);
                });
    }

    @Test
    void aSettingUnderBothItsNamesStopsTheApplication() {
        runner.withPropertyValues(
                        "jetty.sessions.sqlite.file=" + dir.resolve("boot.db"),
                        "jetty.sessions.sqlite.busy-timeout=2s",
                        "jetty.sessions.sqlite.busy-timeout-ms=1000")
                .run(context -> assertThat(context)
                        .hasFailed()
                        .getFailure()
                        .hasStackTraceContaining("Set jetty.sessions.sqlite.busy-timeout or its old name"
                                + " jetty.sessions.sqlite.busy-timeout-ms, not both"));
    }

    @Test
    void aPeriodInFractionsOfASecondStopsTheApplicationNamingIt() {
        runner.withPropertyValues(
                        "jetty.sessions.sqlite.file=" + dir.resolve("boot.db"),
                        "jetty.sessions.sqlite.save-period=1500ms")
                .run(context -> assertThat(context)
                        .hasFailed()
                        .getFailure()
                        .hasStackTraceContaining(
                                "jetty.sessions.sqlite.save-period must be whole seconds, not 1500ms"));
    }

    @Test
    void anUnknownSynchronousModeStopsTheApplicationNamingTheProperty() {
        runner.withPropertyValues(
                        "jetty.sessions.sqlite.file=" + dir.resolve("boot.db"),
                        "jetty.sessions.sqlite.synchronous=sometimes")
                .run(context -> assertThat(context)
                        .hasFailed()
                        .getFailure()
                        .hasStackTraceContaining("jetty.sessions.sqlite.synchronous")
                        .hasStackTraceContaining("sometimes"));
    }

    @Test
    void enabledFalseTurnsTheStarterOff() {
        runner.withPropertyValues(
                        "jetty.sessions.enabled=false", "jetty.sessions.sqlite.file=" + dir.resolve("boot.db"))
                .run(context -> assertThat(context)
                        .hasNotFailed()
                        .doesNotHaveBean(SessionTableDataStoreFactory.class)
                        .doesNotHaveBean(SessionCacheFactory.class)
                        .doesNotHaveBean(JettyServerCustomizerRegistrar.BEAN_NAME)
                        .doesNotHaveBean(StoreOnJettyCheck.class));
    }

    @Test
    void withoutAPropertyThereIsNoStore() {
        runner.run(context -> assertThat(context).hasNotFailed().doesNotHaveBean(SessionTableDataStoreFactory.class));
    }

    @Test
    void anApplicationsOwnFactoryIsKept() {
        SQLiteSessionDataStoreFactory own = new SQLiteSessionDataStoreFactory(dir.resolve("own.db"));
        runner.withPropertyValues("jetty.sessions.sqlite.file=" + dir.resolve("boot.db"))
                .withBean(SQLiteSessionDataStoreFactory.class, () -> own)
                .run(context -> assertThat(context.getBean(SessionTableDataStoreFactory.class))
                        .isSameAs(own));
    }

    @Test
    void anInvalidSettingStopsTheApplicationNamingIt() {
        runner.withPropertyValues(
                        "jetty.sessions.sqlite.file=" + dir.resolve("boot.db"),
                        "jetty.sessions.sqlite.table=drop table")
                .run(context -> assertThat(context).hasFailed().getFailure().hasStackTraceContaining("drop table"));
    }

    @Test
    void bothStoresStopTheApplication() {
        runner.withPropertyValues(
                        "jetty.sessions.sqlite.file=" + dir.resolve("boot.db"),
                        "jetty.sessions.postgresql.url=jdbc:postgresql://127.0.0.1:5432/sessions")
                .run(context -> assertThat(context)
                        .hasFailed()
                        .getFailure()
                        .hasStackTraceContaining(JettySessionStoreAutoConfiguration.BOTH_STORES));
    }

    @Test
    void aPostgreSQLUrlMakesThePostgreSQLStoreWithItsPoolReportingToTheRegistry() {
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        runner.withPropertyValues(
                        "jetty.sessions.postgresql.url=jdbc:postgresql://127.0.0.1:5432/sessions",
                        "jetty.sessions.postgresql.user=jetty",
                        "jetty.sessions.postgresql.pool-size=4",
                        "jetty.sessions.postgresql.connection-timeout=2500ms",
                        "jetty.sessions.postgresql.table=boot_sessions",
                        "jetty.sessions.postgresql.schema-mode=none")
                .withBean(SimpleMeterRegistry.class, () -> registry)
                .run(context -> {
                    assertThat(context).hasNotFailed().hasSingleBean(PostgreSQLSessionDataStoreFactory.class);
                    PostgreSQLSessionSettings settings = context.getBean(PostgreSQLSessionDataStoreFactory.class)
                            .getSettings();
                    assertThat(settings.getUrl()).isEqualTo("jdbc:postgresql://127.0.0.1:5432/sessions");
                    assertThat(settings.getUser()).isEqualTo("jetty");
                    assertThat(settings.getPoolSize()).isEqualTo(4);
                    assertThat(settings.getConnectionTimeoutMs()).isEqualTo(2500);
                    assertThat(settings.getTableName()).isEqualTo("boot_sessions");
                    assertThat(settings.getSchemaMode()).isEqualTo("NONE");
                    assertThat(settings.getMetricRegistry()).isSameAs(registry);
                    assertThat(settings.getDataSource()).isNull();
                });
    }

    @Test
    void thePostgreSQLStoresOldNumericNamesStillWork() {
        runner.withPropertyValues(
                        "jetty.sessions.postgresql.url=jdbc:postgresql://127.0.0.1:5432/sessions",
                        "jetty.sessions.postgresql.connection-timeout-ms=2500",
                        "jetty.sessions.postgresql.save-period-sec=5")
                .run(context -> {
                    PostgreSQLSessionDataStoreFactory factory =
                            context.getBean(PostgreSQLSessionDataStoreFactory.class);
                    assertThat(factory.getSettings().getConnectionTimeoutMs()).isEqualTo(2500);
                    assertThat(factory.getSavePeriodSec()).isEqualTo(5);
                });
    }

    @Test
    void theApplicationsDataSourceWhenAskedFor() {
        DataSource application = new PGSimpleDataSource();
        runner.withPropertyValues("jetty.sessions.postgresql.use-application-data-source=true")
                .withBean(DataSource.class, () -> application)
                .run(context -> {
                    assertThat(context).hasNotFailed();
                    PostgreSQLSessionSettings settings = context.getBean(PostgreSQLSessionDataStoreFactory.class)
                            .getSettings();
                    assertThat(settings.getDataSource()).isSameAs(application);
                    assertThat(settings.getUrl()).isNull();
                });
    }

    @Test
    void theDataSourceMarkedForSessionsAmongSeveral() {
        runner.withPropertyValues("jetty.sessions.postgresql.use-application-data-source=true")
                .withUserConfiguration(TwoDataSources.class, MarkedDataSource.class)
                .run(context -> assertThat(context.getBean(PostgreSQLSessionDataStoreFactory.class)
                                .getSettings()
                                .getDataSource())
                        .isSameAs(context.getBean("sessionsDataSource")));
    }

    @Test
    void severalDataSourcesNoneMarkedStopTheApplication() {
        runner.withPropertyValues("jetty.sessions.postgresql.use-application-data-source=true")
                .withUserConfiguration(TwoDataSources.class)
                .run(context -> assertThat(context)
                        .hasFailed()
                        .getFailure()
                        .hasStackTraceContaining("none marked @Primary or @JettySessionsDataSource"));
    }

    @Test
    void noDataSourceStopsTheApplication() {
        runner.withPropertyValues("jetty.sessions.postgresql.use-application-data-source=true")
                .run(context -> assertThat(context)
                        .hasFailed()
                        .getFailure()
                        .hasStackTraceContaining("jetty.sessions.postgresql.use-application-data-source is true, but"
                                + " the application has no DataSource bean"));
    }

    @Test
    void aUrlBesideTheApplicationsDataSourceStopsTheApplication() {
        runner.withPropertyValues(
                        "jetty.sessions.postgresql.use-application-data-source=true",
                        "jetty.sessions.postgresql.url=jdbc:postgresql://127.0.0.1:5432/sessions")
                .withBean(DataSource.class, PGSimpleDataSource::new)
                .run(context -> assertThat(context)
                        .hasFailed()
                        .getFailure()
                        .hasStackTraceContaining("Set jetty.sessions.postgresql.url or"
                                + " jetty.sessions.postgresql.use-application-data-source=true, not both"));
    }

    @Test
    void theApplicationsDataSourceBesideAnSQLiteFileStopsTheApplication() {
        runner.withPropertyValues(
                        "jetty.sessions.postgresql.use-application-data-source=true",
                        "jetty.sessions.sqlite.file=" + dir.resolve("boot.db"))
                .withBean(DataSource.class, PGSimpleDataSource::new)
                .run(context -> assertThat(context)
                        .hasFailed()
                        .getFailure()
                        .hasStackTraceContaining(JettySessionStoreAutoConfiguration.BOTH_STORES));
    }

    /** Two data sources of an application, neither primary. */
    @Configuration(proxyBeanMethods = false)
    static class TwoDataSources {
        @Bean
        DataSource ordersDataSource() {
            return new PGSimpleDataSource();
        }

        @Bean
        DataSource reportsDataSource() {
            return new PGSimpleDataSource();
        }
    }

    /** A third, marked for the sessions. */
    @Configuration(proxyBeanMethods = false)
    static class MarkedDataSource {
        @Bean
        @JettySessionsDataSource
        DataSource sessionsDataSource() {
            return new PGSimpleDataSource();
        }
    }

    @ParameterizedTest
    @CsvSource({
        "coherent, io.github.jettysqlite.sessions.CoherentSessionCacheFactory",
        "default, org.eclipse.jetty.session.DefaultSessionCacheFactory",
        "null, org.eclipse.jetty.session.NullSessionCacheFactory"
    })
    void eachCacheValuePutsItsFactoryOnTheServerBesideTheStore(String cache, Class<?> factoryType) {
        runner.withPropertyValues(
                        "jetty.sessions.sqlite.file=" + dir.resolve("boot.db"), "jetty.sessions.cache=" + cache)
                .run(context -> {
                    Server server = customizedServer(context);
                    assertThat(server.getBean(SQLiteSessionDataStoreFactory.class))
                            .isNotNull();
                    assertThat(server.getBean(SessionCacheFactory.class)).isExactlyInstanceOf(factoryType);
                });
    }

    @Test
    void theCoherentCacheIsTheOneUnlessAnotherIsChosen() {
        runner.withPropertyValues("jetty.sessions.sqlite.file=" + dir.resolve("boot.db"))
                .run(context -> {
                    SessionCacheFactory factory = customizedServer(context).getBean(SessionCacheFactory.class);
                    assertThat(factory).isExactlyInstanceOf(CoherentSessionCacheFactory.class);
                    assertThat(((AbstractSessionCacheFactory) factory).isFlushOnResponseCommit())
                            .isTrue();
                });
    }

    @Test
    void everyCacheSettingIsApplied() {
        runner.withPropertyValues(
                        "jetty.sessions.sqlite.file=" + dir.resolve("boot.db"),
                        "jetty.sessions.cache=default",
                        "jetty.sessions.eviction-policy=60",
                        "jetty.sessions.save-on-inactive-eviction=true",
                        "jetty.sessions.save-on-create=true",
                        "jetty.sessions.remove-unloadable-sessions=true",
                        "jetty.sessions.flush-on-response-commit=false",
                        "jetty.sessions.invalidate-on-shutdown=true")
                .run(context -> {
                    AbstractSessionCacheFactory factory = (AbstractSessionCacheFactory)
                            customizedServer(context).getBean(SessionCacheFactory.class);
                    assertThat(factory.getEvictionPolicy()).isEqualTo(60);
                    assertThat(factory.isSaveOnInactiveEviction()).isTrue();
                    assertThat(factory.isSaveOnCreate()).isTrue();
                    assertThat(factory.isRemoveUnloadableSessions()).isTrue();
                    assertThat(factory.isFlushOnResponseCommit()).isFalse();
                    assertThat(factory.isInvalidateOnShutdown()).isTrue();
                });
    }

    @Test
    void withoutAStoreNoCacheGoesOnTheServer() {
        runner.run(context -> assertThat(customizedServer(context).getBeans(SessionCacheFactory.class))
                .isEmpty());
    }

    @Test
    void anApplicationsOwnCacheFactoryGoesOnTheServer() {
        DefaultSessionCacheFactory own = new DefaultSessionCacheFactory();
        runner.withPropertyValues("jetty.sessions.sqlite.file=" + dir.resolve("boot.db"))
                .withBean(DefaultSessionCacheFactory.class, () -> own)
                .run(context -> assertThat(customizedServer(context).getBean(SessionCacheFactory.class))
                        .isSameAs(own));
    }

    @Test
    void anUnknownCacheStopsTheApplicationNamingTheProperty() {
        runner.withPropertyValues(
                        "jetty.sessions.sqlite.file=" + dir.resolve("boot.db"), "jetty.sessions.cache=hazelcast")
                .run(context -> assertThat(context)
                        .hasFailed()
                        .getFailure()
                        .hasStackTraceContaining("jetty.sessions.cache")
                        .hasStackTraceContaining("hazelcast"));
    }

    @Test
    void bootsPersistentSessionsGiveWayToTheStore() {
        runner.withPropertyValues("jetty.sessions.sqlite.file=" + dir.resolve("boot.db"))
                .run(context -> {
                    Server server = new Server();
                    SessionHandler sessions = contextWithPersistentSessions(server, "/shop");
                    customizer(context).customize(server);
                    server.start();
                    try {
                        SessionCache cache = sessions.getSessionCache();
                        assertThat(cache).isInstanceOf(CoherentSessionCache.class);
                        assertThat(cache.getSessionDataStore()).isInstanceOf(SQLiteSessionDataStore.class);
                        // The check at the end of the refresh finds every context on the store.
                        context.getBean(StoreOnJettyCheck.class).onApplicationEvent(new ContextRefreshedEvent(context));
                    } finally {
                        server.stop();
                    }
                });
    }

    @Test
    void aContextWhoseSessionsAreKeptElsewhereStopsTheApplication() {
        runner.withPropertyValues("jetty.sessions.sqlite.file=" + dir.resolve("boot.db"))
                .run(context -> {
                    Server server = new Server();
                    customizer(context).customize(server);
                    // Set after the customizer ran, as a Jetty Configuration applied at the context's start would.
                    SessionHandler sessions = contextWithPersistentSessions(server, "/shop");
                    server.start();
                    try {
                        assertThat(sessions.getSessionCache().getSessionDataStore())
                                .isInstanceOf(FileSessionDataStore.class);
                        assertThatThrownBy(() -> context.getBean(StoreOnJettyCheck.class)
                                        .onApplicationEvent(new ContextRefreshedEvent(context)))
                                .hasMessageContaining("the sessions of context /shop are kept by "
                                        + FileSessionDataStore.class.getName()
                                        + ": remove the code that sets that context's session cache");
                    } finally {
                        server.stop();
                    }
                });
    }

    /**
     * A context on the server with sessions as Boot configures them for {@code server.servlet.session.persistent}: a
     * DefaultSessionCache over a FileSessionDataStore of the context's own.
     */
    private SessionHandler contextWithPersistentSessions(Server server, String path) {
        ServletContextHandler context = new ServletContextHandler(ServletContextHandler.SESSIONS);
        context.setContextPath(path);
        SessionHandler sessions = context.getSessionHandler();
        DefaultSessionCache cache = new DefaultSessionCache(sessions);
        FileSessionDataStore files = new FileSessionDataStore();
        files.setStoreDir(dir.resolve("servlet-sessions").toFile());
        cache.setSessionDataStore(files);
        sessions.setSessionCache(cache);
        server.setHandler(context);
        return sessions;
    }

    private static JettyServerCustomizer customizer(ApplicationContext context) {
        return context.getBean(JettyServerCustomizerRegistrar.BEAN_NAME, JettyServerCustomizer.class);
    }

    /** A Jetty server as Boot would hand it to the starter's customizer, after the customizer ran. */
    private static Server customizedServer(ApplicationContext context) {
        Server server = new Server();
        customizer(context).customize(server);
        return server;
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "jetty.sessions.postgresql.url=jdbc:postgresql://127.0.0.1:5432/sessions",
                "jetty.sessions.postgresql.use-application-data-source=true"
            })
    void thePostgreSQLStoreWithoutThePostgreSQLArtifactStopsTheApplication(String property) {
        runner.withClassLoader(new FilteredClassLoader("io.github.jettysqlite.sessions.postgresql"))
                .withPropertyValues(property)
                .run(context -> assertThat(context)
                        .hasFailed()
                        .getFailure()
                        .hasStackTraceContaining("jetty-sqlite-sessions-postgresql is not on the class path"));
    }

    @Test
    void withoutJettysWebApplicationsTheStarterStandsAside() {
        runner.withClassLoader(
                        new FilteredClassLoader("org.eclipse.jetty.ee10.webapp", "org.eclipse.jetty.ee11.webapp"))
                .withPropertyValues("jetty.sessions.sqlite.file=" + dir.resolve("boot.db"))
                .run(context -> assertThat(context).hasNotFailed().doesNotHaveBean(SessionTableDataStoreFactory.class));
    }

    @Test
    void outsideAWebApplicationTheStarterStandsAside() {
        new ApplicationContextRunner()
                .withConfiguration(AutoConfigurations.of(JettySessionStoreAutoConfiguration.class))
                .withPropertyValues("jetty.sessions.sqlite.file=" + dir.resolve("boot.db"))
                .run(context -> assertThat(context).hasNotFailed().doesNotHaveBean(SessionTableDataStoreFactory.class));
    }

    @Test
    void aStoreThatNeverReachedJettyStopsAnApplicationOnAnotherServer() {
        StoreOnJettyCheck check = new StoreOnJettyCheck();
        try (ContextWithAServer onTomcat = new ContextWithAServer(new TomcatWebServer())) {
            onTomcat.registerBean(SQLiteSessionDataStoreFactory.class, () -> new SQLiteSessionDataStoreFactory(dir));
            onTomcat.refresh();

            assertThatThrownBy(() -> check.onApplicationEvent(new ContextRefreshedEvent(onTomcat)))
                    .hasMessageContaining("web server is " + TomcatWebServer.class.getName() + ", not Jetty");

            // On Jetty, the server customizer reports that it put the factory on the server.
            check.addedToJetty(new Server());
            check.onApplicationEvent(new ContextRefreshedEvent(onTomcat));
        }
    }

    @Test
    void aContextWithoutAWebServerOrAStoreIsLeftAlone() {
        StoreOnJettyCheck check = new StoreOnJettyCheck();
        try (ContextWithAServer noServer = new ContextWithAServer(null)) {
            noServer.registerBean(SQLiteSessionDataStoreFactory.class, () -> new SQLiteSessionDataStoreFactory(dir));
            noServer.refresh();
            check.onApplicationEvent(new ContextRefreshedEvent(noServer));
        }
        try (ContextWithAServer noStore = new ContextWithAServer(new TomcatWebServer())) {
            noStore.refresh();
            check.onApplicationEvent(new ContextRefreshedEvent(noStore));
        }
    }

    /** A context that answers {@code getWebServer()} as Boot's web server contexts do. */
    public static final class ContextWithAServer extends GenericApplicationContext {
        private final Object webServer;

        ContextWithAServer(Object webServer) {
            this.webServer = webServer;
        }

        public Object getWebServer() {
            return webServer;
        }
    }

    /** Stands for another server's web server; only its class name matters to the check. */
    static final class TomcatWebServer {}
}
