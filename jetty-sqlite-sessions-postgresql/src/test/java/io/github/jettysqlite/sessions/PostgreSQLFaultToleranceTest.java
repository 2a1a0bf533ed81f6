package io.github.jettysqlite.sessions;

import static io.github.jettysqlite.sessions.StoreFixture.NODE;
import static io.github.jettysqlite.sessions.StoreFixture.put;
import static io.github.jettysqlite.sessions.StoreFixture.session;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.mockito.AdditionalAnswers.delegatesTo;
import static org.mockito.ArgumentMatchers.anyString;
import static org.mockito.Mockito.doAnswer;
import static org.mockito.Mockito.mock;

import io.github.jettysqlite.sessions.support.PostgreSQLRequired;
import io.github.jettysqlite.sessions.support.PostgreSQLServer;
import io.github.jettysqlite.sessions.support.Waiting;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Collectors;
import javax.sql.DataSource;
import org.eclipse.jetty.session.SessionData;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.postgresql.ds.PGSimpleDataSource;

/** A PostgreSQL server that drops the store's connections or refuses a write loses nothing and needs no restart. */
@ExtendWith(PostgreSQLRequired.class)
class PostgreSQLFaultToleranceTest {
    private static final long HOUR = 3_600_000;

    @TempDir
    Path dir;

    private PostgreSQLFixture fixture;
    private SessionTableDataStore store;
    private String application;

    @BeforeEach
    void start() throws Exception {
        fixture = new PostgreSQLFixture();
        // The store's connections carry a name of their own, so the test can tell them from every other.
        application = "store_" + PostgreSQLServer.schemaOf(fixture.url());
        store = fixture.postgresStore(
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
                "SELECT pid, pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = ?", application);
        assertThat(ended).isNotEmpty();
        // pg_terminate_backend only signals: the connections are gone once their server processes have exited.
        String pids = ended.stream().map(row -> row.get(0).toString()).collect(Collectors.joining(", "));
        Waiting.until(
                "the server processes of the store's connections exiting",
                () -> fixture.count("SELECT count(*) FROM pg_stat_activity WHERE pid IN (" + pids + ")") == 0);
        // Time passes on purpose: the pool checks a connection that has been idle for half a second before lending it
        // again, so the dead ones are dropped there rather than handed to the next write. A sleep that runs long under
        // load only makes that surer.
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

    @Test
    void writeTheServerRefusesNamesTheServerAndTheCauseNeverThePasswordAndKeepsTheSessionDirty() throws Exception {
        AtomicReference<String> failWith = new AtomicReference<>();
        PGSimpleDataSource real = new PGSimpleDataSource();
        real.setURL(fixture.url());
        real.setPassword("hunter2-never-shown");
        DataSource failing = failingWrites(real, failWith);
        SessionTableDataStore onDataSource =
                fixture.postgresStore(NODE, "/ds", org.eclipse.jetty.session.SessionContext.NULL_VHOST, s -> {
                    s.setUrl(null);
                    s.setDataSource(failing);
                    // A lost connection (57P01) is retried for this long before the write fails.
                    s.setConnectionTimeoutMs(300);
                });
        long now = System.currentTimeMillis();
        put(onDataSource, session(onDataSource, "s1", now + HOUR, NODE));
        Map<String, String> causes = Map.of(
                "53100", "is full",
                "42501", "denied this user the privilege",
                "28P01", "refused the credentials",
                "57P01", "is shutting down");

        for (Map.Entry<String, String> cause : causes.entrySet()) {
            SessionData changed = onDataSource.load("s1");
            changed.setAttribute("user", "bob");
            failWith.set(cause.getKey());

            assertThatThrownBy(() -> onDataSource.store("s1", changed))
                    .as(cause.getKey())
                    .isInstanceOf(SessionDatabaseException.class)
                    .hasMessageContaining("jdbc:postgresql://")
                    .hasMessageContaining(cause.getValue())
                    .hasMessageNotContaining("hunter2");
            assertThat(changed.isDirty()).as("still to be saved").isTrue();
            failWith.set(null);
            assertThat(onDataSource.load("s1").getAttribute("user")).isEqualTo("alice");
        }
    }

    @Test
    void aWriteThatLosesItsConnectionRunsAgainOnAFreshOneAndSucceeds() throws Exception {
        AtomicReference<String> failWith = new AtomicReference<>();
        AtomicInteger failuresLeft = new AtomicInteger();
        PGSimpleDataSource real = new PGSimpleDataSource();
        real.setURL(fixture.url());
        DataSource failing = failingWrites(real, failWith, failuresLeft);
        SessionTableDataStore onDataSource =
                fixture.postgresStore(NODE, "/ds", org.eclipse.jetty.session.SessionContext.NULL_VHOST, s -> {
                    s.setUrl(null);
                    s.setDataSource(failing);
                });
        long now = System.currentTimeMillis();
        put(onDataSource, session(onDataSource, "s1", now + HOUR, NODE));

        for (String state : List.of("57P01", "08006", "57P03", "40001")) {
            SessionData changed = onDataSource.load("s1");
            changed.setAttribute("user", "after " + state);
            failWith.set(state);
            failuresLeft.set(2);

            onDataSource.store("s1", changed);

            assertThat(failuresLeft).as(state).hasValue(0);
            assertThat(onDataSource.load("s1").getAttribute("user")).isEqualTo("after " + state);
        }
        SessionStoreStatistics statistics = onDataSource.getStatistics();
        assertThat(statistics.getDatabaseRetries()).isEqualTo(8);
        assertThat(statistics.getDatabaseOutages())
                .as("a serialization failure is no outage")
                .isEqualTo(3);
        assertThat(statistics.isDatabaseUnreachable()).isFalse();
        assertThat(statistics.getStoreFailures()).isZero();
    }

    /** The real data source, but every UPDATE or INSERT fails with the SQLSTATE {@code failWith} holds, if any. */
    private static DataSource failingWrites(DataSource real, AtomicReference<String> failWith) throws Exception {
        return failingWrites(real, failWith, new AtomicInteger(Integer.MAX_VALUE));
    }

    /** As above, for at most {@code failuresLeft} writes. */
    private static DataSource failingWrites(
            DataSource real, AtomicReference<String> failWith, AtomicInteger failuresLeft) throws Exception {
        DataSource dataSource = mock(DataSource.class, delegatesTo(real));
        doAnswer(call -> {
                    Connection connection = real.getConnection();
                    Connection wrapped = mock(Connection.class, delegatesTo(connection));
                    doAnswer(prepare -> {
                                String sql = prepare.getArgument(0);
                                PreparedStatement statement = connection.prepareStatement(sql);
                                if (!sql.startsWith("UPDATE") && !sql.startsWith("INSERT")) {
                                    return statement;
                                }
                                PreparedStatement faulty = mock(PreparedStatement.class, delegatesTo(statement));
                                doAnswer(execute -> {
                                            String state = failWith.get();
                                            if (state != null
                                                    && failuresLeft.getAndUpdate(n -> n > 0 ? n - 1 : n) > 0) {
                                                throw new SQLException("injected failure " + state, state);
                                            }
                                            return statement.executeUpdate();
                                        })
                                        .when(faulty)
                                        .executeUpdate();
                                return faulty;
                            })
                            .when(wrapped)
                            .prepareStatement(anyString());
                    return wrapped;
                })
                .when(dataSource)
                .getConnection();
        return dataSource;
    }
}
