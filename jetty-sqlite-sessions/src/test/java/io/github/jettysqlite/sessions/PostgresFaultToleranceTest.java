package io.github.jettysqlite.sessions;

import static io.github.jettysqlite.sessions.StoreFixture.NODE;
import static io.github.jettysqlite.sessions.StoreFixture.put;
import static io.github.jettysqlite.sessions.StoreFixture.session;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A PostgreSQL server that drops the store's connections or refuses a write loses nothing and needs no restart. */
class PostgresFaultToleranceTest {
    private static final long HOUR = 3_600_000;

    @TempDir
    Path dir;

    private StoreFixture fixture;
    private SQLiteSessionDataStore store;
    private String application;

    @BeforeEach
    void start() throws Exception {
        fixture = new StoreFixture(Engine.POSTGRESQL, dir);
        // The store's connections carry a name of their own, so the test can tell them from every other.
        application = "store_" + PostgresServer.schemaOf(fixture.url());
        store = fixture.store(
                NODE,
                "/app",
                org.eclipse.jetty.session.SessionContext.NULL_VHOST,
                s -> s.setUrl(fixture.url() + "&ApplicationName=" + application));
    }

    @AfterEach
    void stop() throws Exception {
        fixture.close();
    }

    @Test
    void storeCarriesOnAfterTheServerDropsEveryConnection() throws Exception {
        long now = System.currentTimeMillis();
        put(store, session(store, "before", now + HOUR, NODE));

        // What a server restart or a failover does to the pool: every connection of this schema's store ends.
        List<List<Object>> ended = fixture.query(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = ?", application);
        assertThat(ended).isNotEmpty();
        // The pool checks a connection that has been idle for half a second before lending it again.
        Thread.sleep(1_000);

        put(store, session(store, "after", now + HOUR, NODE));
        assertThat(store.load("before").getAttribute("user")).isEqualTo("alice");
        assertThat(store.load("after").getAttribute("user")).isEqualTo("alice");
    }

    @Test
    void refusedWriteNamesTheServerAndLeavesTheStoredSessionAlone() throws Exception {
        long now = System.currentTimeMillis();
        put(store, session(store, "kept", now + HOUR, NODE));
        // A constraint the server enforces stands in for a full disk or a revoked privilege: the write fails there.
        fixture.update("ALTER TABLE jetty_sessions ADD CONSTRAINT small CHECK (length(attributes) < 200)");

        var big = session(store, "kept", now + HOUR, NODE);
        big.setAttribute("user", "x".repeat(1_000));
        assertThatThrownBy(() -> put(store, big))
                .isInstanceOf(SessionDatabaseException.class)
                .hasMessageStartingWith("Session database jdbc:postgresql://")
                .hasMessageContaining("small");

        assertThat(store.load("kept").getAttribute("user")).isEqualTo("alice");
        fixture.update("ALTER TABLE jetty_sessions DROP CONSTRAINT small");
        put(store, big);
        assertThat(store.load("kept").getAttribute("user")).isEqualTo("x".repeat(1_000));
    }
}
