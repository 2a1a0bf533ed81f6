package io.github.jettysqlite.sessions;

import static io.github.jettysqlite.sessions.StoreFixture.NODE;
import static io.github.jettysqlite.sessions.StoreFixture.put;
import static io.github.jettysqlite.sessions.StoreFixture.session;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.jettysqlite.sessions.support.PostgreSQLRequired;
import io.github.jettysqlite.sessions.support.Waiting;
import java.sql.Connection;
import java.sql.Statement;
import java.util.concurrent.CompletableFuture;
import org.eclipse.jetty.session.SessionContext;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A request's statement waiting for a lock is cancelled by the server a little before the client would give it up
 * (twice {@code connectionTimeoutMs}), so that nothing of it is left running there; an administrator's count over the
 * same table, waiting as long for the same lock, is not: over a large table it may rightly take that long.
 */
@ExtendWith(PostgreSQLRequired.class)
class PostgreSQLUnhurriedAdminTest {
    private PostgreSQLFixture fixture;
    private SessionTableDataStore store;

    @BeforeEach
    void start() throws Exception {
        fixture = new PostgreSQLFixture();
        // A request's statement is then given up after two seconds without an answer.
        store = fixture.postgresStore(NODE, "_shop", SessionContext.NULL_VHOST, s -> s.setConnectionTimeoutMs(1_000));
        put(store, session(store, "s1", System.currentTimeMillis() + 3_600_000, NODE));
    }

    @AfterEach
    void stop() throws Exception {
        fixture.close();
    }

    @Test
    void anAdministratorsCountOutwaitsALockThatARequestGivesUpOn() throws Exception {
        try (Connection locker = fixture.connect()) {
            locker.setAutoCommit(false);
            try (Statement lock = locker.createStatement()) {
                lock.execute("LOCK TABLE jetty_sessions IN ACCESS EXCLUSIVE MODE");
            }
            // Started first, so that it has waited longer than the request below when the lock goes.
            CompletableFuture<Long> count = CompletableFuture.supplyAsync(() -> {
                try {
                    return store.admin().countAll();
                } catch (SessionDatabaseException e) {
                    throw new IllegalStateException(e);
                }
            });

            Waiting.until(
                    "the count waiting for the lock",
                    () -> fixture.count("SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock'"
                                    + " AND query ILIKE '%count(%jetty_sessions%'")
                            == 1);

            assertThatThrownBy(() -> store.exists("s1"))
                    .isInstanceOf(SessionDatabaseException.class)
                    .hasMessageContaining("cancelled the statement")
                    .hasMessageContaining("statement_timeout");
            assertThat(store.getStatistics().getDatabaseGaveUp())
                    .as("counted with the statements a silent server's client gives up")
                    .isEqualTo(1);
            // The server ended it: a statement the client had only given up would still wait there for the lock.
            Waiting.until(
                    "no request's statement left waiting for the lock",
                    () -> fixture.count("SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock'"
                                    + " AND query ILIKE '%jetty_sessions%' AND query NOT ILIKE '%count(%'")
                            == 0);
            assertThat(count).isNotDone();
            locker.commit();

            assertThat(count.get()).isEqualTo(1);
        }
        assertThat(store.exists("s1")).isTrue();
    }
}
