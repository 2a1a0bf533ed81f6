package io.github.jettysqlite.sessions;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.jettysqlite.sessions.admin.SessionDatabaseAdmin;
import io.github.jettysqlite.sessions.internal.table.SessionTable;
import java.nio.file.Path;
import java.util.List;
import org.eclipse.jetty.session.SessionContext;
import org.eclipse.jetty.session.SessionData;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A database written by schema version 1 is migrated in place, every session kept, on the first start. */
class SchemaMigrationTest {
    /** Version 1's table exactly as that version created it (the key led with session_id). */
    private static final String VERSION_1_TABLE =
            "CREATE TABLE %s (session_id TEXT NOT NULL, context_path TEXT NOT NULL, "
                    + "virtual_host TEXT NOT NULL, last_node TEXT, created_ms INTEGER NOT NULL, accessed_ms INTEGER NOT NULL, "
                    + "last_accessed_ms INTEGER NOT NULL, cookie_set_ms INTEGER NOT NULL, last_saved_ms INTEGER NOT NULL, "
                    + "max_inactive_ms INTEGER NOT NULL, expires_at REAL, attributes BLOB NOT NULL, "
                    + "PRIMARY KEY (session_id, context_path, virtual_host))";

    private static final String VERSION_1_INDEX =
            "CREATE INDEX %1$s_expiry ON %1$s (expires_at, context_path, virtual_host) WHERE expires_at IS NOT NULL";

    @TempDir
    Path dir;

    private SQLiteFixture fixture;
    private long now;

    @BeforeEach
    void writeVersion1Database() throws Exception {
        fixture = new SQLiteFixture(dir.resolve("sessions.db"));
        now = System.currentTimeMillis();
        // Rows are written by today's store (same columns, same encoding) into a file laid out as version 1.
        SQLiteFixture source = new SQLiteFixture(dir.resolve("source.db"));
        try (source) {
            SQLiteSessionDataStore writer = source.store();
            SQLiteSessionDataStore other = source.store(StoreFixture.NODE, "/other", "example.org");
            StoreFixture.put(writer, StoreFixture.session(writer, "live", now + 3_600_000, StoreFixture.NODE));
            StoreFixture.put(writer, StoreFixture.session(writer, "immortal", 0, StoreFixture.NODE));
            StoreFixture.put(other, StoreFixture.session(other, "elsewhere", now - 1, StoreFixture.OTHER_NODE));
        }
        for (String table : new String[] {"jetty_sessions", "second_sessions"}) {
            fixture.update(String.format(VERSION_1_TABLE, table));
            fixture.update(String.format(VERSION_1_INDEX, table));
        }
        try (var c = fixture.connect();
                var s = c.createStatement()) {
            s.execute("ATTACH DATABASE '" + dir.resolve("source.db") + "' AS source");
            s.execute("INSERT INTO main.jetty_sessions SELECT " + String.join(", ", SessionTable.COLUMNS)
                    + " FROM source.jetty_sessions");
            s.execute("INSERT INTO main.second_sessions SELECT " + String.join(", ", SessionTable.COLUMNS)
                    + " FROM source.jetty_sessions WHERE session_id = 'live'");
            s.execute("PRAGMA main.user_version = 1");
        }
    }

    @AfterEach
    void close() throws Exception {
        fixture.close();
    }

    @Test
    void startMigratesVersion1InPlaceKeepingEverySession() throws Exception {
        SQLiteSessionDataStore store = fixture.store();
        SQLiteSessionDataStore other = fixture.store(StoreFixture.NODE, "/other", "example.org");

        assertThat(fixture.query("PRAGMA user_version")).containsExactly(List.of(SessionTable.SCHEMA_VERSION));
        SessionData live = store.load("live");
        assertThat(live.getAttribute("user")).isEqualTo("alice");
        assertThat(live.getExpiry()).isEqualTo(now + 3_600_000);
        assertThat(store.load("immortal").getExpiry()).isZero();
        assertThat(other.load("elsewhere")).isNotNull();
        assertThat(store.doGetExpired(now)).isEmpty();
        assertThat(other.doGetExpired(now)).containsExactly("elsewhere");
    }

    @Test
    void everySessionTableInTheFileGetsTheNewKey() throws Exception {
        fixture.store();

        for (String table : new String[] {"jetty_sessions", "second_sessions"}) {
            assertThat(fixture.query("SELECT name FROM pragma_table_info('" + table + "') WHERE pk > 0 ORDER BY pk"))
                    .as(table)
                    .containsExactly(List.of("context_path"), List.of("virtual_host"), List.of("session_id"));
            assertThat(fixture.query("SELECT count(*) FROM sqlite_schema WHERE name = ?", table + "_expiry"))
                    .containsExactly(List.of(1));
        }
        assertThat(fixture.query("SELECT count(*) FROM second_sessions")).containsExactly(List.of(1));
        assertThat(fixture.query("SELECT count(*) FROM sqlite_schema WHERE name LIKE '%_v1'"))
                .containsExactly(List.of(0));
        assertThat(fixture.query("PRAGMA integrity_check")).containsExactly(List.of("ok"));
    }

    @Test
    void aSecondStartFindsNothingLeftToMigrate() throws Exception {
        fixture.store().stop();
        SQLiteSessionDataStore again = fixture.store(StoreFixture.NODE, "/app", SessionContext.NULL_VHOST);

        assertThat(again.load("live")).isNotNull();
        assertThat(fixture.query("SELECT count(*) FROM jetty_sessions")).containsExactly(List.of(3));
    }

    @Test
    void lookingAtAnOlderFileChangesNothingAndWritingToolsRefuseToUpgradeIt() throws Exception {
        byte[] before = java.nio.file.Files.readAllBytes(fixture.file());

        try (SessionDatabaseAdmin admin =
                SessionDatabaseAdmin.inspect(fixture.file().toString(), null, null, "jetty_sessions")) {
            assertThat(admin.stats().sessions()).isEqualTo(3);
            assertThat(admin.schemaVersion()).isEqualTo(1);
            assertThat(admin.show("live")).hasSize(1);
            assertThat(admin.check()).containsExactly("ok");
        }
        assertThatThrownBy(() -> SessionDatabaseAdmin.inspect(fixture.file().toString(), null, null, "absent"))
                .hasMessageContaining("has no table named 'absent'");
        assertThatThrownBy(() -> SessionDatabaseAdmin.open(fixture.file(), "jetty_sessions"))
                .hasMessageContaining("schema version 1")
                .hasMessageContaining("upgrade-schema");

        assertThat(java.util.Arrays.equals(java.nio.file.Files.readAllBytes(fixture.file()), before))
                .as("the file is byte for byte as it was")
                .isTrue();
        assertThat(fixture.query("PRAGMA user_version")).containsExactly(List.of(1));
        assertThat(fixture.query("SELECT count(*) FROM sqlite_schema WHERE name = 'absent'"))
                .containsExactly(List.of(0));

        try (SessionDatabaseAdmin upgrade =
                SessionDatabaseAdmin.openCreatingTable(fixture.file().toString(), null, null, "jetty_sessions")) {
            assertThat(upgrade.schemaVersion()).isEqualTo(SessionTable.SCHEMA_VERSION);
        }
        try (SessionDatabaseAdmin maintain = SessionDatabaseAdmin.open(fixture.file(), "jetty_sessions")) {
            assertThat(maintain.stats().sessions()).isEqualTo(3);
        }
    }
}
