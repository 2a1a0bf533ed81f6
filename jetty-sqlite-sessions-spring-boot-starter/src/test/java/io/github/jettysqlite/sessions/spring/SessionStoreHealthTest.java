package io.github.jettysqlite.sessions.spring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.jettysqlite.sessions.SQLiteSessionDataStore;
import io.github.jettysqlite.sessions.SQLiteSessionDataStoreFactory;
import io.github.jettysqlite.sessions.SessionTableSettings;
import io.github.jettysqlite.sessions.internal.sqlite.FileIdentity;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Map;
import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.eclipse.jetty.server.Server;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.actuate.health.Health;
import org.springframework.boot.actuate.health.HealthIndicator;
import org.springframework.boot.actuate.health.Status;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.WebApplicationContextRunner;
import org.springframework.boot.web.embedded.jetty.JettyServerCustomizer;
import org.springframework.context.ApplicationContext;

/**
 * The {@code jettySessions} health indicator on Boot 3.5's Actuator API (Boot 4.0's is tested over HTTP in the Boot
 * 4 example): up with the table and its schema version, down with the reason when the SQLite file is deleted or
 * replaced under the running store, absent without a store or when switched off.
 */
class SessionStoreHealthTest {
    /** Boot 4's health API is on this class path too (the starter compiles against it); Boot 3.5 has only its own. */
    private final WebApplicationContextRunner runner = new WebApplicationContextRunner()
            .withClassLoader(new FilteredClassLoader("org.springframework.boot.health"))
            .withConfiguration(AutoConfigurations.of(
                    JettySessionStoreAutoConfiguration.class, JettySessionStoreHealthAutoConfiguration.class));

    @TempDir
    Path dir;

    @Test
    void aRunningStoreIsUpWithItsTableAndSchemaVersion() {
        Path file = dir.resolve("boot.db");
        onRunningStore(file, (indicator, store) -> {
            Health health = indicator.health();
            assertThat(health.getStatus()).isEqualTo(Status.UP);
            assertThat(health.getDetails()).containsOnlyKeys("_shop");
            assertThat(storeDetails(health))
                    .containsEntry("status", "UP")
                    .containsEntry("database", file.toString())
                    .containsEntry("table", SessionTableSettings.DEFAULT_TABLE_NAME)
                    .containsKey("schemaVersion")
                    .doesNotContainKey("error");
        });
    }

    @Test
    void aStoreWhoseFileWasDeletedIsDown() {
        Path file = dir.resolve("boot.db");
        onRunningStore(file, (indicator, store) -> {
            Files.delete(file);

            Health health = indicator.health();
            assertThat(health.getStatus()).isEqualTo(Status.DOWN);
            assertThat(storeDetails(health))
                    .containsEntry("status", "DOWN")
                    .containsEntry(
                            "error",
                            "the database file was deleted while in use; writes are refused until the application"
                                    + " restarts");
        });
    }

    @Test
    void aStoreWhoseFileWasReplacedIsDownOnceAWriteFoundOut() {
        Path file = dir.resolve("boot.db");
        onRunningStore(file, (indicator, store) -> {
            Path other = Files.copy(file, dir.resolve("other.db"));
            Files.move(other, file, StandardCopyOption.REPLACE_EXISTING);
            // Time passes on purpose: the store looks at its file at most every CHECK_EVERY_MS, and the first write
            // after that long since the change must find out. The last look was before the move, so a sleep that runs
            // long under load only makes the look surer; waiting for some later write to be refused would check less.
            Thread.sleep(2 * FileIdentity.CHECK_EVERY_MS);
            assertThatThrownBy(() -> store.delete("any")).hasMessageContaining("was replaced");

            Health health = indicator.health();
            assertThat(health.getStatus()).isEqualTo(Status.DOWN);
            assertThat(storeDetails(health))
                    .extractingByKey("error")
                    .asString()
                    .startsWith("the database file was replaced by another file while in use");
        });
    }

    @Test
    void beforeAnyStoreRunsTheHealthIsUnknown() {
        runner.withPropertyValues("jetty.sessions.sqlite.file=" + dir.resolve("boot.db"))
                .run(context ->
                        assertThat(indicator(context).health().getStatus()).isEqualTo(Status.UNKNOWN));
    }

    @Test
    void withoutAStoreThereIsNoIndicator() {
        runner.run(context -> assertThat(context).doesNotHaveBean(JettySessionStoreHealthAutoConfiguration.BEAN_NAME));
    }

    @Test
    void theIndicatorCanBeSwitchedOffAsActuatorsOwn() {
        runner.withPropertyValues(
                        "jetty.sessions.sqlite.file=" + dir.resolve("boot.db"),
                        "management.health.jetty-sessions.enabled=false")
                .run(context ->
                        assertThat(context).doesNotHaveBean(JettySessionStoreHealthAutoConfiguration.BEAN_NAME));
        runner.withPropertyValues(
                        "jetty.sessions.sqlite.file=" + dir.resolve("boot.db"),
                        "management.health.defaults.enabled=false")
                .run(context ->
                        assertThat(context).doesNotHaveBean(JettySessionStoreHealthAutoConfiguration.BEAN_NAME));
        runner.withPropertyValues(
                        "jetty.sessions.sqlite.file=" + dir.resolve("boot.db"),
                        "management.health.defaults.enabled=false",
                        "management.health.jetty-sessions.enabled=true")
                .run(context -> assertThat(context).hasBean(JettySessionStoreHealthAutoConfiguration.BEAN_NAME));
    }

    @Test
    void theStarterSwitchedOffLeavesEvenAnApplicationsOwnStoreOut() {
        runner.withPropertyValues("jetty.sessions.enabled=false")
                .withBean(SQLiteSessionDataStoreFactory.class, () -> new SQLiteSessionDataStoreFactory(dir))
                .run(context ->
                        assertThat(context).doesNotHaveBean(JettySessionStoreHealthAutoConfiguration.BEAN_NAME));
        runner.withBean(SQLiteSessionDataStoreFactory.class, () -> new SQLiteSessionDataStoreFactory(dir))
                .run(context -> assertThat(context).hasBean(JettySessionStoreHealthAutoConfiguration.BEAN_NAME));
    }

    @Test
    void withoutActuatorThereIsNoIndicator() {
        runner.withClassLoader(
                        new FilteredClassLoader("org.springframework.boot.health", "org.springframework.boot.actuate"))
                .withPropertyValues("jetty.sessions.sqlite.file=" + dir.resolve("boot.db"))
                .run(context -> assertThat(context)
                        .hasNotFailed()
                        .doesNotHaveBean(JettySessionStoreHealthAutoConfiguration.BEAN_NAME));
    }

    @Test
    void onBoot4sHealthApiTheBoot4AdapterServes() {
        new WebApplicationContextRunner()
                .withClassLoader(new FilteredClassLoader("org.springframework.boot.actuate"))
                .withConfiguration(AutoConfigurations.of(
                        JettySessionStoreAutoConfiguration.class, JettySessionStoreHealthAutoConfiguration.class))
                .withPropertyValues("jetty.sessions.sqlite.file=" + dir.resolve("boot.db"))
                .run(context -> assertThat(context.getBean(JettySessionStoreHealthAutoConfiguration.BEAN_NAME))
                        .isInstanceOf(org.springframework.boot.health.contributor.HealthIndicator.class));
    }

    private static HealthIndicator indicator(ApplicationContext context) {
        return context.getBean(JettySessionStoreHealthAutoConfiguration.BEAN_NAME, HealthIndicator.class);
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> storeDetails(Health health) {
        return (Map<String, Object>) health.getDetails().get("_shop");
    }

    /** What a test does with the indicator and the store of a running context. */
    @FunctionalInterface
    interface StoreCheck {
        void run(HealthIndicator indicator, SQLiteSessionDataStore store) throws Exception;
    }

    /**
     * Runs the check on a started Jetty server as Boot would run it, the starter's customizer applied, with one
     * context, /shop, whose store keeps its sessions in the file.
     */
    private void onRunningStore(Path file, StoreCheck check) {
        runner.withPropertyValues("jetty.sessions.sqlite.file=" + file).run(context -> {
            Server server = new Server();
            ServletContextHandler shop = new ServletContextHandler(ServletContextHandler.SESSIONS);
            shop.setContextPath("/shop");
            server.setHandler(shop);
            context.getBean(JettyServerCustomizerRegistrar.BEAN_NAME, JettyServerCustomizer.class)
                    .customize(server);
            server.start();
            try {
                check.run(indicator(context), (SQLiteSessionDataStore)
                        shop.getSessionHandler().getSessionCache().getSessionDataStore());
            } finally {
                server.stop();
            }
        });
    }
}
