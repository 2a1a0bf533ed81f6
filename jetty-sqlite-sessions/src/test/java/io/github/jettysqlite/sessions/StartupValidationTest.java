package io.github.jettysqlite.sessions;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import org.eclipse.jetty.session.SessionContext;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.sqlite.SQLiteConfig;

/** Every unusable setting or file stops the store at start, with one sentence naming what is wrong. */
class StartupValidationTest {
    @TempDir
    Path dir;

    private StoreFixture fixture;

    @BeforeEach
    void open() {
        fixture = new StoreFixture(dir.resolve("sessions.db"));
    }

    @AfterEach
    void close() throws Exception {
        fixture.close();
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "",
                "1starts_with_digit",
                "has space",
                "sessions; DROP TABLE users",
                "quote\"d",
                "dash-ed",
                "sqlite_master",
                "a_name_that_is_far_too_long_for_the_limit_of_sixty_three_characters"
            })
    void invalidTableNameStopsStart(String name) {
        assertThatThrownBy(() ->
                        fixture.store(StoreFixture.NODE, "/app", SessionContext.NULL_VHOST, s -> s.setTableName(name)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("Invalid SQLite session store setting tableName: ")
                .hasMessageContaining(name.isEmpty() ? "''" : name);
        assertThat(Files.exists(fixture.file())).isFalse();
    }

    @Test
    void customTableNameIsUsed() throws Exception {
        SQLiteSessionDataStore store = fixture.store(
                StoreFixture.NODE, "/app", SessionContext.NULL_VHOST, s -> s.setTableName("My_Sessions2"));
        StoreFixture.put(store, StoreFixture.session(store, "s1", 0, StoreFixture.NODE));

        assertThat(fixture.query("SELECT session_id FROM My_Sessions2")).containsExactly(List.of("s1"));
    }

    @Test
    void unknownSynchronousModeStopsStart() {
        assertThatThrownBy(() -> fixture.store(
                        StoreFixture.NODE, "/app", SessionContext.NULL_VHOST, s -> s.setSynchronous("fast")))
                .hasMessage("Invalid SQLite session store setting synchronous: "
                        + "synchronous must be one of OFF, NORMAL, FULL, EXTRA, not 'fast'");
    }

    @Test
    void negativeBusyTimeoutStopsStart() {
        assertThatThrownBy(() -> fixture.store(
                        StoreFixture.NODE, "/app", SessionContext.NULL_VHOST, s -> s.setBusyTimeoutMs(-1)))
                .hasMessage(
                        "Invalid SQLite session store setting busyTimeoutMs: busyTimeoutMs must be at least 0, not -1");
    }

    @Test
    void missingParentDirectoriesAreCreated() throws Exception {
        StoreFixture nested = new StoreFixture(dir.resolve("a/b/c/sessions.db"));
        try (nested) {
            nested.store();
            assertThat(Files.isRegularFile(nested.file())).isTrue();
        }
    }

    @Test
    void fileThatIsNotSQLiteStopsStart() throws Exception {
        Files.writeString(
                fixture.file(), "this is a text file, not a database, and it is long enough to have a header");

        assertThatThrownBy(() -> fixture.store())
                .isInstanceOf(SessionDatabaseException.class)
                .hasMessageContaining(fixture.file().toString())
                .hasMessageContaining("is not an SQLite database");
        assertThat(Files.readString(fixture.file())).startsWith("this is a text file");
    }

    @Test
    void readOnlyDatabaseIsReportedInWords() throws Exception {
        fixture.store().stop();
        // Tests run as root in CI, where file permissions do not stop writes; a read-only connection makes SQLite
        // itself answer SQLITE_READONLY, which is what a read-only file produces for other users.
        SQLiteConfig readOnly = new SQLiteConfig();
        readOnly.setReadOnly(true);
        DatabaseSettings settings = new DatabaseSettings(fixture.file(), Synchronous.NORMAL, 100, 1);
        try (Connection c = readOnly.createConnection("jdbc:sqlite:" + fixture.file());
                Statement s = c.createStatement()) {
            SQLException refused =
                    catchThrowableOfType(SQLException.class, () -> s.executeUpdate("DELETE FROM jetty_sessions"));

            assertThat((Throwable) DatabaseErrors.describe(settings, refused))
                    .hasMessageStartingWith("Session database " + fixture.file() + " is read-only");
        }
    }

    @Test
    void directoryInPlaceOfTheFileStopsStart() throws Exception {
        Files.createDirectories(fixture.file());

        assertThatThrownBy(() -> fixture.store())
                .isInstanceOf(SessionDatabaseException.class)
                .hasMessageContaining("is a directory");
    }

    @Test
    void parentThatIsAFileStopsStart() throws Exception {
        Files.writeString(dir.resolve("plain-file"), "x");
        StoreFixture under = new StoreFixture(dir.resolve("plain-file/sessions.db"));

        assertThatThrownBy(under::store)
                .isInstanceOf(SessionDatabaseException.class)
                .hasMessageContaining("Cannot create the directory " + dir.resolve("plain-file"));
    }

    @Test
    void databaseFromANewerVersionIsRefused() throws Exception {
        fixture.store().stop();
        fixture.update("PRAGMA user_version = 99");

        assertThatThrownBy(() -> fixture.store())
                .isInstanceOf(SessionDatabaseException.class)
                .hasMessageContaining(fixture.file().toString())
                .hasMessageContaining("newer version of jetty-sqlite-sessions (schema version 99)");
        assertThat(fixture.query("PRAGMA user_version")).containsExactly(List.of(99));
    }

    @Test
    void sameNamedTableOfSomethingElseIsRefused() throws Exception {
        fixture.update("CREATE TABLE jetty_sessions (id INTEGER PRIMARY KEY, payload TEXT)");

        assertThatThrownBy(() -> fixture.store())
                .isInstanceOf(SessionDatabaseException.class)
                .hasMessageContaining("already has a table named 'jetty_sessions' that is not a session table");
    }

    @Test
    void schemaVersionIsRecorded() throws Exception {
        fixture.store();

        assertThat(fixture.query("PRAGMA user_version")).containsExactly(List.of(SessionTable.SCHEMA_VERSION));
        assertThat(fixture.query("PRAGMA journal_mode")).containsExactly(List.of("wal"));
    }

    @Test
    void secondStoreOnTheFileWithOtherSettingsIsRefused() throws Exception {
        fixture.store();

        assertThatThrownBy(() -> fixture.store(
                        StoreFixture.NODE, "/other", SessionContext.NULL_VHOST, s -> s.setSynchronous("FULL")))
                .isInstanceOf(SessionDatabaseException.class)
                .hasMessageContaining("is already open with synchronous=normal")
                .hasMessageContaining("asks for synchronous=full");
    }

    @Test
    void twoTablesInOneFileStayApart() throws Exception {
        SQLiteSessionDataStore first = fixture.store();
        SQLiteSessionDataStore second = fixture.store(
                StoreFixture.NODE, "/app", SessionContext.NULL_VHOST, s -> s.setTableName("other_sessions"));
        StoreFixture.put(first, StoreFixture.session(first, "s1", 0, StoreFixture.NODE));

        assertThat(second.load("s1")).isNull();
        assertThat(first.load("s1")).isNotNull();
    }
}
