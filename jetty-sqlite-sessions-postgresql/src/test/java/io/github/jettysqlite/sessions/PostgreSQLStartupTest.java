package io.github.jettysqlite.sessions;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.jettysqlite.sessions.postgresql.PostgreSQLSessionDataStore;
import io.github.jettysqlite.sessions.postgresql.PostgreSQLSessionSettings;
import io.github.jettysqlite.sessions.support.PostgreSQLRequired;
import java.nio.file.Path;
import java.util.List;
import org.eclipse.jetty.session.SessionContext;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.sqlite.SQLiteDataSource;

/**
 * On PostgreSQL too, whatever makes the database unusable stops the store at start with one sentence that names
 * the server (never the password) and says what is wrong, and touches nothing already stored.
 */
@ExtendWith(PostgreSQLRequired.class)
class PostgreSQLStartupTest {
    @TempDir
    Path dir;

    private PostgreSQLFixture fixture;

    @BeforeEach
    void open() {
        fixture = new PostgreSQLFixture();
    }

    @AfterEach
    void close() throws Exception {
        fixture.close();
    }

    @Test
    void unreachableServerIsNamedWithoutItsPassword() {
        assertThatThrownBy(() -> start(s -> {
                    s.setUrl("jdbc:postgresql://127.0.0.1:1/jetty?password=hunter2&connectTimeout=2");
                    s.setConnectionTimeoutMs(500);
                }))
                .isInstanceOf(SessionDatabaseException.class)
                .hasMessageStartingWith("Session database jdbc:postgresql://127.0.0.1:1/jetty cannot be reached")
                .message()
                .doesNotContain("hunter2");
    }

    @Test
    void missingDatabaseIsNamed() {
        String url = fixture.url().replaceFirst("(//[^/]+/)[^?]*", "$1no_such_database");
        assertThatThrownBy(() -> start(s -> s.setUrl(url)))
                .isInstanceOf(SessionDatabaseException.class)
                .hasMessageContaining("has no such database");
    }

    @Test
    void unsupportedUrlIsRefusedBeforeConnecting() {
        assertThatThrownBy(() -> start(s -> s.setUrl("jdbc:mysql://127.0.0.1/jetty")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("Invalid PostgreSQL session store setting url: only jdbc:sqlite: and jdbc:postgresql: URLs"
                        + " are supported, not jdbc:mysql: URLs");
    }

    @Test
    void urlAndDataSourceTogetherAreRefused() {
        assertThatThrownBy(() -> start(s -> s.setDataSource(new SQLiteDataSource())))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("Invalid PostgreSQL session store setting dataSource: set exactly one of url, dataSource"
                        + " and dataSourceName, not 2");
    }

    @Test
    void dataSourceThatIsNotPostgresIsRefused() throws Exception {
        SQLiteDataSource sqlite = new SQLiteDataSource();
        sqlite.setUrl("jdbc:sqlite:" + dir.resolve("other.db"));
        PostgreSQLSessionSettings settings = new PostgreSQLSessionSettings();
        settings.setDataSource(sqlite);
        SessionTableDataStore store = new PostgreSQLSessionDataStore(settings);
        store.initialize(new StoreFixture.FixedSessionContext("n", "/app", SessionContext.NULL_VHOST));

        assertThatThrownBy(store::start)
                .isInstanceOf(SessionDatabaseException.class)
                .hasMessageContaining("is SQLite, not PostgreSQL");
    }

    @Test
    void tableNameTooLongForPostgresIndexNamesIsRefused() {
        String name = "t".repeat(57);
        assertThatThrownBy(() -> start(s -> s.setTableName(name)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith(
                        "Invalid PostgreSQL session store setting tableName: table name must be at most 56");
    }

    @Test
    void foreignTableOfTheSameNameIsRefusedAndKept() throws Exception {
        fixture.update("CREATE TABLE jetty_sessions (id INTEGER PRIMARY KEY, note TEXT)");
        fixture.update("INSERT INTO jetty_sessions VALUES (1, 'not ours')");

        assertThatThrownBy(() -> start(s -> {}))
                .isInstanceOf(SessionDatabaseException.class)
                .hasMessageContaining("already has a table named 'jetty_sessions' that is not a session table");
        assertThat(fixture.query("SELECT note FROM jetty_sessions")).containsExactly(List.of("not ours"));
    }

    @Test
    void tableFromANewerVersionIsRefused() throws Exception {
        start(s -> {}).stop();
        fixture.update("UPDATE jetty_session_schema SET version = 99 WHERE table_name = 'jetty_sessions'");

        assertThatThrownBy(() -> start(s -> {}))
                .isInstanceOf(SessionDatabaseException.class)
                .hasMessageContaining("newer version of jetty-sqlite-sessions (schema version 99)");
    }

    @Test
    void nodesStartingTogetherCreateTheTableOnce() throws Exception {
        // Eight stores in eight threads race to create the same table: none may fail.
        List<Thread> threads = new java.util.ArrayList<>();
        List<Throwable> failures = java.util.Collections.synchronizedList(new java.util.ArrayList<>());
        String url = fixture.url();
        for (int i = 0; i < 8; i++) {
            int node = i;
            threads.add(new Thread(() -> {
                // A user per node would give each its own pool; the URL differs only in a harmless parameter.
                SessionTableDataStore store = new PostgreSQLSessionDataStore(
                        new PostgreSQLSessionSettings(url + "&ApplicationName=node" + node));
                try {
                    store.initialize(new StoreFixture.FixedSessionContext("node" + node, "/app", "0.0.0.0"));
                    store.start();
                    store.stop();
                } catch (Throwable e) {
                    failures.add(e);
                }
            }));
        }
        threads.forEach(Thread::start);
        for (Thread t : threads) {
            t.join(60_000);
        }
        assertThat(failures).isEmpty();
        assertThat(fixture.query("SELECT count(*) FROM jetty_session_schema")).containsExactly(List.of(1));
    }

    private SessionTableDataStore start(java.util.function.Consumer<PostgreSQLSessionSettings> setup) throws Exception {
        return fixture.postgresStore(StoreFixture.NODE, "/app", SessionContext.NULL_VHOST, setup);
    }
}
