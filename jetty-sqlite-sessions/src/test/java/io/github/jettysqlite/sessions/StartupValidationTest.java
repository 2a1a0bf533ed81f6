package io.github.jettysqlite.sessions;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.jettysqlite.sessions.internal.table.SessionTable;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.eclipse.jetty.session.SessionContext;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Every unusable setting or file stops the store at start, with one sentence naming what is wrong. */
class StartupValidationTest {
    @TempDir
    Path dir;

    private SQLiteFixture fixture;

    @BeforeEach
    void open() {
        fixture = new SQLiteFixture(dir.resolve("sessions.db"));
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
    void aFilePathWithAQuestionMarkIsRefusedAndNothingIsOpened() throws Exception {
        Path odd = dir.resolve("odd?mode=memory.db");
        SQLiteFixture elsewhere = new SQLiteFixture(odd);

        assertThatThrownBy(() -> elsewhere.store())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("databaseFile")
                .hasMessageContaining("must not contain '?'");
        try (var files = Files.list(dir)) {
            assertThat(files).as("no stray file opened in its place").isEmpty();
        }
    }

    @Test
    void everySecuritySettingIsCheckedByValidate() {
        SQLiteSessionSettings badFilter = new SQLiteSessionSettings(dir.resolve("a.db"));
        badFilter.setDeserializationFilter("maxdepth=oops");
        SQLiteSessionSettings missingKey = new SQLiteSessionSettings(dir.resolve("a.db"));
        missingKey.setAttributeKey("env:JSS_NO_SUCH_VARIABLE_FOR_THIS_TEST");
        SQLiteSessionSettings missingOldKey = new SQLiteSessionSettings(dir.resolve("a.db"));
        missingOldKey.setAttributeOldKeys("file:" + dir.resolve("no-such.key"));
        SQLiteSessionSettings negativeLifetime = new SQLiteSessionSettings(dir.resolve("a.db"));
        negativeLifetime.setMaxSessionLifetimeSec(-1);

        assertThatThrownBy(badFilter::validate).hasMessageContaining("setting deserializationFilter");
        assertThatThrownBy(missingKey::validate).hasMessageContaining("setting attributeKey");
        assertThatThrownBy(missingOldKey::validate).hasMessageContaining("setting attributeOldKeys");
        assertThatThrownBy(negativeLifetime::validate).hasMessageContaining("setting maxSessionLifetimeSec");
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
        assertThatThrownBy(() -> fixture.sqliteStore(
                        StoreFixture.NODE, "/app", SessionContext.NULL_VHOST, s -> s.setSynchronous("fast")))
                .hasMessage("Invalid SQLite session store setting synchronous: "
                        + "synchronous must be one of OFF, NORMAL, FULL, EXTRA, not 'fast'");
    }

    @Test
    void unknownCheckpointsValueStopsStart() {
        assertThatThrownBy(() -> fixture.sqliteStore(
                        StoreFixture.NODE, "/app", SessionContext.NULL_VHOST, s -> s.setCheckpoints("litestream")))
                .hasMessage("Invalid SQLite session store setting checkpoints: "
                        + "checkpoints must be one of STORE, EXTERNAL, not 'litestream'");
        assertThat(Files.exists(fixture.file())).isFalse();
    }

    @Test
    void externalCheckpointsWithoutABusyTimeoutStopStart() {
        SQLiteSessionSettings settings = new SQLiteSessionSettings(fixture.file());
        settings.setCheckpoints("EXTERNAL");
        settings.setBusyTimeoutMs(0);

        assertThatThrownBy(settings::validate)
                .hasMessageStartingWith("Invalid SQLite session store setting checkpoints: checkpoints=EXTERNAL"
                        + " needs a busyTimeoutMs above 0");
    }

    @Test
    void negativeBusyTimeoutStopsStart() {
        assertThatThrownBy(() -> fixture.sqliteStore(
                        StoreFixture.NODE, "/app", SessionContext.NULL_VHOST, s -> s.setBusyTimeoutMs(-1)))
                .hasMessage(
                        "Invalid SQLite session store setting busyTimeoutMs: busyTimeoutMs must be at least 0, not -1");
    }

    @Test
    void maxReadersOutsideItsRangeStopsStart() {
        assertThatThrownBy(() -> fixture.sqliteStore(
                        StoreFixture.NODE, "/app", SessionContext.NULL_VHOST, s -> s.setMaxReaders(0)))
                .hasMessage("Invalid SQLite session store setting maxReaders: maxReaders must be at least 1, not 0");
        // An absurd bound would size the pool's slot array past what an int can index.
        assertThatThrownBy(() -> fixture.sqliteStore(
                        StoreFixture.NODE, "/app", SessionContext.NULL_VHOST, s -> s.setMaxReaders(Integer.MAX_VALUE)))
                .hasMessage("Invalid SQLite session store setting maxReaders: maxReaders must be at most 1024, not "
                        + Integer.MAX_VALUE);
        assertThat(Files.exists(fixture.file())).isFalse();
    }

    @Test
    void missingParentDirectoriesAreCreated() throws Exception {
        SQLiteFixture nested = new SQLiteFixture(dir.resolve("a/b/c/sessions.db"));
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
    void directoryInPlaceOfTheFileStopsStart() throws Exception {
        Files.createDirectories(fixture.file());

        assertThatThrownBy(() -> fixture.store())
                .isInstanceOf(SessionDatabaseException.class)
                .hasMessageContaining("is a directory");
    }

    @Test
    void parentThatIsAFileStopsStart() throws Exception {
        Files.writeString(dir.resolve("plain-file"), "x");
        SQLiteFixture under = new SQLiteFixture(dir.resolve("plain-file/sessions.db"));

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

        assertThatThrownBy(() -> fixture.sqliteStore(
                        StoreFixture.NODE, "/other", SessionContext.NULL_VHOST, s -> s.setSynchronous("FULL")))
                .isInstanceOf(SessionDatabaseException.class)
                .hasMessageContaining("is already open with synchronous=normal")
                .hasMessageContaining("asks for synchronous=full");
    }

    @Test
    void secondStoreOnTheFileWithOtherCheckpointsIsRefused() throws Exception {
        fixture.store();

        assertThatThrownBy(() -> fixture.sqliteStore(
                        StoreFixture.NODE, "/other", SessionContext.NULL_VHOST, s -> s.setCheckpoints("external")))
                .isInstanceOf(SessionDatabaseException.class)
                .hasMessageContaining("is already open with synchronous=normal, busyTimeoutMs=5000, maxReaders=8,"
                        + " checkpoints=store")
                .hasMessageContaining("checkpoints=external");
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
