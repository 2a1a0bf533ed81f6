package io.github.jettysqlite.sessions;

import static io.github.jettysqlite.sessions.StoreFixture.NODE;
import static org.assertj.core.api.Assertions.assertThat;

import io.github.jettysqlite.sessions.internal.table.SessionTable;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.eclipse.jetty.session.SessionData;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Tables of older layouts are upgraded in place, every session kept: version 2 (before the attributes' version
 * column) and version 3 (before the principal column).
 */
abstract class AbstractSchemaUpgradeTest {
    private static final long HOUR = 3_600_000;

    @TempDir
    Path dir;

    /** The engine's fixture, holding the rows {@link #writeRows} wrote. */
    StoreFixture fixture;

    /** The engine under test: a fixture of its own in the directory. */
    abstract StoreFixture newFixture(Path dir) throws Exception;

    @BeforeEach
    void writeRows() throws Exception {
        fixture = newFixture(dir);
        SessionTableDataStore writer = fixture.store();
        long now = System.currentTimeMillis();
        for (String id : List.of("live", "other")) {
            SessionData data = StoreFixture.session(writer, id, now + HOUR, NODE);
            data.setAttribute("cart", List.of(id));
            data.setAttribute(UserSessions.PRINCIPAL_ATTRIBUTE, "user-" + id);
            StoreFixture.put(writer, data);
        }
        writer.stop();
    }

    @AfterEach
    void close() throws Exception {
        fixture.close();
    }

    @Test
    void fromVersion2StartAddsTheVersionColumnInPlace() throws Exception {
        fixture.downgradeTo(2);
        List<List<Object>> rowsBefore = physicalRows();

        SessionTableDataStore store = fixture.store();

        assertThat(fixture.versionRecorded()).isEqualTo(SessionTable.SCHEMA_VERSION);
        assertThat(fixture.query("SELECT attributes_version FROM jetty_sessions"))
                .containsExactly(List.of(0), List.of(0));
        assertThat(physicalRows()).as("rows stay where they were").isEqualTo(rowsBefore);
        assertThat(store.load("live").getAttribute("cart")).isEqualTo(List.of("live"));
        SessionData changed = store.load("other");
        changed.setAttribute("cart", List.of("other", "more"));
        store.store("other", changed);
        assertThat(store.load("other").getAttribute("cart")).isEqualTo(List.of("other", "more"));
        assertThat(fixture.query("SELECT attributes_version FROM jetty_sessions WHERE session_id = 'other'"))
                .containsExactly(List.of(1));
    }

    @Test
    void fromVersion3StartAddsThePrincipalColumnInPlaceAndTheNextStoreFillsIt() throws Exception {
        fixture.downgradeTo(3);
        List<List<Object>> rowsBefore = physicalRows();

        SessionTableDataStore store = fixture.store();

        assertThat(fixture.versionRecorded()).isEqualTo(SessionTable.SCHEMA_VERSION);
        assertThat(physicalRows()).as("rows stay where they were").isEqualTo(rowsBefore);
        assertThat(fixture.query("SELECT principal FROM jetty_sessions ORDER BY session_id"))
                .as("no row is rewritten by the upgrade")
                .containsExactly(Arrays.asList((Object) null), Arrays.asList((Object) null));
        assertThat(store.sessionsOf("user-live")).isEmpty();

        // A request that only reads the session stores its metadata: that fills the column, from the attributes the
        // row holds.
        SessionData used = store.load("live");
        used.setAccessed(used.getAccessed() + 1);
        store.store("live", used);

        assertThat(store.sessionsOf("user-live")).extracting(s -> s.id()).containsExactly("live");
        assertThat(store.load("live").getAttribute("cart")).isEqualTo(List.of("live"));
        assertThat(fixture.query("SELECT principal FROM jetty_sessions WHERE session_id = 'other'"))
                .containsExactly(Arrays.asList((Object) null));
        assertThat(store.admin().countAll()).isEqualTo(2);
    }

    /** Each row's physical place (rowid, ctid) with its id: an upgrade in place moves none of them. */
    private List<List<Object>> physicalRows() throws Exception {
        String place = fixture.isSQLite() ? "rowid" : "CAST(ctid AS TEXT)";
        return fixture.query("SELECT " + place + ", session_id FROM jetty_sessions ORDER BY session_id");
    }
}
