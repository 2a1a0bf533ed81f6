package io.github.jettysqlite.sessions;

import static io.github.jettysqlite.sessions.StoreFixture.NODE;
import static io.github.jettysqlite.sessions.StoreFixture.put;
import static io.github.jettysqlite.sessions.StoreFixture.session;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;
import org.eclipse.jetty.session.SessionData;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * How SQLite keeps a row across writes; PostgreSQL, which writes a new row version on every update, has no such
 * property to test.
 */
class SQLiteRowStorageTest {
    private static final long HOUR = 3_600_000;

    @TempDir
    Path dir;

    private SQLiteFixture fixture;
    private SQLiteSessionDataStore store;
    private long now;

    @BeforeEach
    void start() throws Exception {
        fixture = SQLiteFixture.in(dir);
        store = fixture.store();
        now = System.currentTimeMillis();
    }

    @AfterEach
    void stop() throws Exception {
        fixture.close();
    }

    @Test
    void storeUpdatesTheRowInPlaceRatherThanReplacingIt() throws Exception {
        SessionData data = session(store, "s1", now + HOUR, NODE);
        store.store("s1", data);
        Object rowid = fixture.query("SELECT rowid FROM jetty_sessions").get(0).get(0);
        put(store, session(store, "s2", now + HOUR, NODE));

        data.setAttribute("user", "carol");
        store.store("s1", data);

        assertThat(fixture.query("SELECT rowid FROM jetty_sessions WHERE session_id = 's1'"))
                .containsExactly(List.of(rowid));
    }
}
