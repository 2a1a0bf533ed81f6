package io.github.jettysqlite.sessions;

import static io.github.jettysqlite.sessions.StoreFixture.NODE;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.jettysqlite.sessions.internal.sqlite.SQLiteInternals;
import io.github.jettysqlite.sessions.support.TestServer;
import io.github.jettysqlite.sessions.support.Waiting;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import java.util.List;
import org.eclipse.jetty.client.ContentResponse;
import org.eclipse.jetty.client.HttpClient;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.session.DefaultSessionCacheFactory;
import org.eclipse.jetty.session.SessionContext;
import org.eclipse.jetty.session.SessionData;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A full disk, a lock held too long and a corrupt row each fail in words and lose nothing already stored. */
class FaultToleranceTest {
    @TempDir
    Path dir;

    private SQLiteFixture fixture;
    private Server server;
    private HttpClient client;

    @BeforeEach
    void open() {
        fixture = new SQLiteFixture(dir.resolve("sessions.db"));
    }

    @AfterEach
    void close() throws Exception {
        if (client != null) {
            client.stop();
        }
        if (server != null) {
            server.stop();
        }
        fixture.close();
    }

    @Test
    void fullDiskFailsTheStoreInWordsKeepsTheSessionAndRecovers() throws Exception {
        SQLiteSessionDataStore store = fixture.store();
        StoreFixture.put(store, StoreFixture.session(store, "stored-before", 0, NODE));
        long pages = SQLiteInternals.runExclusive(fixture.file(), c -> {
            try (var r = c.prepare("PRAGMA page_count").executeQuery()) {
                r.next();
                return r.getLong(1);
            }
        });
        setMaxPageCount(store, pages + 2);

        SessionData big = StoreFixture.session(store, "big", 0, NODE);
        big.setAttribute("blob", new byte[1024 * 1024]);
        assertThatThrownBy(() -> store.store("big", big))
                .isInstanceOf(SessionDatabaseException.class)
                .hasMessageContaining(fixture.file().toString())
                .hasMessageContaining("is full");

        assertThat(big.isDirty())
                .as("still dirty, so the next store retries it")
                .isTrue();
        assertThat(big.getLastSaved()).as("not marked saved").isZero();
        assertThat(store.load("stored-before").getAttribute("user")).isEqualTo("alice");
        assertThat(store.load("big")).isNull();

        setMaxPageCount(store, 1_000_000_000);
        store.store("big", big);
        assertThat((byte[]) store.load("big").getAttribute("blob")).hasSize(1024 * 1024);
        assertThat(fixture.query("PRAGMA integrity_check")).containsExactly(List.of("ok"));
    }

    @Test
    void writeLockHeldPastTheBusyTimeoutFailsTheStoreInWords() throws Exception {
        SQLiteSessionDataStore store =
                fixture.sqliteStore(NODE, "/app", SessionContext.NULL_VHOST, s -> s.setBusyTimeoutMs(200));
        StoreFixture.put(store, StoreFixture.session(store, "s1", 0, NODE));

        try (Connection other = fixture.connect();
                Statement lock = other.createStatement()) {
            lock.execute("BEGIN IMMEDIATE");
            lock.execute("DELETE FROM jetty_sessions");

            assertThatThrownBy(() -> StoreFixture.put(store, StoreFixture.session(store, "s2", 0, NODE)))
                    .isInstanceOf(SessionDatabaseException.class)
                    .hasMessageContaining(
                            "is locked by another connection or process for longer than the busy timeout of 200 ms");
            assertThat(store.load("s1"))
                    .as("readers do not wait for the writer under WAL")
                    .isNotNull();
            lock.execute("ROLLBACK");
        }
        StoreFixture.put(store, StoreFixture.session(store, "s2", 0, NODE));
        assertThat(store.load("s2")).isNotNull();
    }

    @Test
    void writeLockHeldAtStartStopsStartInWords() throws Exception {
        fixture.store().stop();

        try (Connection other = fixture.connect();
                Statement lock = other.createStatement()) {
            lock.execute("BEGIN EXCLUSIVE");
            assertThatThrownBy(() ->
                            fixture.sqliteStore(NODE, "/app", SessionContext.NULL_VHOST, s -> s.setBusyTimeoutMs(100)))
                    .isInstanceOf(SessionDatabaseException.class)
                    .hasMessageContaining(fixture.file().toString())
                    .hasMessageContaining("is locked");
            lock.execute("ROLLBACK");
        }
    }

    @Test
    void unreadableSessionIsRemovedWhenJettyIsToldToAndANewOneBegins() throws Exception {
        DefaultSessionCacheFactory cache = new DefaultSessionCacheFactory();
        cache.setRemoveUnloadableSessions(true);
        server = TestServer.start(fixture.file(), 0, cache);
        client = new HttpClient();
        client.start();
        String id = get("/a/?set=user=alice", null);
        int port = TestServer.port(server);
        server.stop();
        fixture.update("UPDATE jetty_sessions SET attributes = x'aced0005deadbeef' WHERE session_id = ?", id);

        server = TestServer.start(fixture.file(), port, cache);
        String answer = get("/a/?get=user", id);

        assertThat(answer).isEqualTo("null");
        assertThat(fixture.query("SELECT count(*) FROM jetty_sessions WHERE session_id = ?", id))
                .containsExactly(List.of(0));
    }

    @Test
    void scavengerIsNotStuckOnACorruptExpiredRow() throws Exception {
        // Rows of context /a left by an earlier run, expired an hour ago; one of them no longer deserializes.
        SQLiteSessionDataStore earlier = fixture.store(NODE, "_a", SessionContext.NULL_VHOST);
        long hourAgo = System.currentTimeMillis() - 3_600_000;
        StoreFixture.put(earlier, StoreFixture.session(earlier, "corrupt", hourAgo, NODE));
        StoreFixture.put(earlier, StoreFixture.session(earlier, "intact", hourAgo, NODE));
        earlier.stop();
        fixture.update("UPDATE jetty_sessions SET attributes = x'00' WHERE session_id = 'corrupt'");

        server = TestServer.start(fixture.file(), 0);

        Waiting.until("the expired rows scavenged", () -> fixture.query("SELECT count(*) FROM jetty_sessions")
                .equals(List.of(List.of(0))));
        client = new HttpClient();
        client.start();
        assertThat(get("/a/?set=user=bob", null)).isNotBlank();
    }

    private String get(String pathAndQuery, String sessionId) throws Exception {
        var request = client.newRequest("http://127.0.0.1:" + TestServer.port(server) + pathAndQuery);
        if (sessionId != null) {
            request.headers(h -> h.put(HttpHeader.COOKIE, "JSESSIONID=" + sessionId + ".node0"));
        }
        ContentResponse response = request.send();
        assertThat(response.getStatus()).isEqualTo(200);
        return response.getContentAsString();
    }

    private static void setMaxPageCount(SQLiteSessionDataStore store, long pages) throws Exception {
        // max_page_count belongs to the connection, so it is set on the store's own writer.
        SQLiteInternals.runExclusive(Path.of(store.getDatabaseFile()), c -> {
            try (var r = c.prepare("PRAGMA max_page_count = " + pages).executeQuery()) {
                return r.next();
            }
        });
    }
}
