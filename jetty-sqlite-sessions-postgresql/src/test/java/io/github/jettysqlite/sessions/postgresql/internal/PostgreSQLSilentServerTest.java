package io.github.jettysqlite.sessions.postgresql.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import io.github.jettysqlite.sessions.SessionDatabaseException;
import io.github.jettysqlite.sessions.internal.CachedConnection;
import io.github.jettysqlite.sessions.internal.ChangeSignals.Change;
import io.github.jettysqlite.sessions.internal.SessionScope;
import io.github.jettysqlite.sessions.internal.TableUse;
import io.github.jettysqlite.sessions.internal.engine.SharedDatabases;
import io.github.jettysqlite.sessions.internal.table.SessionTable;
import io.github.jettysqlite.sessions.support.PostgreSQLRequired;
import io.github.jettysqlite.sessions.support.PostgreSQLServer;
import io.github.jettysqlite.sessions.support.Waiting;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.postgresql.ds.PGSimpleDataSource;

/**
 * A server that stops answering (its machine died, the network drops packets: no reset ever comes) fails the
 * statements waiting on it within a bound that follows from {@code connectionTimeoutMs}, instead of holding a request's
 * thread until the kernel gives up on the connection (about a quarter of an hour on Linux), while work that may rightly
 * run long (the schema, an administrator's tools) is not cut short.
 */
@ExtendWith(PostgreSQLRequired.class)
class PostgreSQLSilentServerTest {
    /** The pool's statements are then given up after two seconds without an answer. */
    private static final int CONNECTION_TIMEOUT_MS = 1_000;
    /** Longer than that bound. */
    private static final double LONGER = 3;

    private static final SessionScope SCOPE = new SessionScope("_shop", "0.0.0.0");

    private SilenceableProxy proxy;
    private SharedDatabases.Lease<PostgreSQLDatabase> lease;
    private PostgreSQLDatabase database;

    @BeforeEach
    void open() throws Exception {
        proxy = new SilenceableProxy(PostgreSQLServer.get().freshSchemaUrl());
        // One connection, so that every unit of work here runs on the same one.
        lease = PostgreSQLDatabase.acquire(
                settings(proxy.url(), CONNECTION_TIMEOUT_MS),
                new SessionTable(SessionTable.DEFAULT_NAME, PostgreSQLDialect.INSTANCE),
                TableUse.SERVE,
                false);
        database = lease.database();
    }

    @AfterEach
    void close() {
        if (lease != null) {
            lease.close();
        }
        proxy.close();
    }

    // Not a measurement: without a bound the statement waits for good (this relay's kernel acknowledges every byte),
    // and this only ends the test then. A bound that works answers within a few seconds.
    @Test
    @Timeout(value = 2, unit = TimeUnit.MINUTES, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
    void aStatementTheServerNeverAnswersFailsAndTheNextOneRunsOnceItAnswersAgain() throws Exception {
        assertThat(database.read(PostgreSQLSilentServerTest::one)).isEqualTo(1);

        // Silent from the moment the connection has been lent and checked: only the statement's own wait can end.
        assertThatThrownBy(() -> database.read(c -> {
                    proxy.fallSilent();
                    return one(c);
                }))
                .isInstanceOf(SessionDatabaseException.class)
                .hasMessageContaining("127.0.0.1")
                .hasMessageContaining("did not answer in time");

        proxy.speakAgain();
        answersAgain();
    }

    @Test
    @Timeout(value = 2, unit = TimeUnit.MINUTES, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
    void aWriteWhoseNotificationMeetsASilentServerReturnsAndIsCountedAsNotAnnounced() throws Exception {
        Change change = database.signals().begin(SessionTable.DEFAULT_NAME, SCOPE, "s1");
        String result;
        try {
            // The write has committed (it wrote nothing here) when the server falls silent: only its notification,
            // and the one more attempt on another connection, meet the silence.
            result = database.writeStatement(c -> {
                proxy.fallSilent();
                return "committed";
            });
        } finally {
            database.signals().end(change);
        }

        assertThat(result).isEqualTo("committed");
        assertThat(database.outages().changesNotAnnounced()).isEqualTo(1);
        proxy.speakAgain();
        answersAgain();
    }

    // As above, for an administrator's write: its statements wait long, but its notification (and putting the bounds
    // back before it) must not, or writers sharing notifications would wait ten minutes behind it.
    @Test
    @Timeout(value = 2, unit = TimeUnit.MINUTES, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
    void aLengthyWriteWhoseNotificationMeetsASilentServerReturnsWithinARequestsBound() throws Exception {
        Change change = database.signals().begin(SessionTable.DEFAULT_NAME, SCOPE, "s1");
        String result;
        try {
            // Silent once its commit is answered: the commit belongs to the lengthy work, which may wait long.
            result = database.lengthy(() -> database.writeStatement(c -> {
                proxy.fallSilentOnceAnswered();
                return "committed";
            }));
        } finally {
            database.signals().end(change);
        }

        assertThat(result).isEqualTo("committed");
        assertThat(database.outages().changesNotAnnounced()).isEqualTo(1);
        proxy.speakAgain();
        answersAgain();
    }

    @Test
    @Timeout(value = 2, unit = TimeUnit.MINUTES, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
    void workThatMayRunLongIsNotCutShortAndBothBoundsHoldAgainAfterIt() throws Exception {
        // Longer than both bounds this pool's statements have, on the pool's one connection.
        int answer = database.lengthy(() -> database.read(c -> sleep(c, LONGER)));
        assertThat(answer).isEqualTo(1);

        // The server's: it cancels a statement running longer, before the client would give it up.
        assertThatThrownBy(() -> database.read(c -> sleep(c, LONGER)))
                .isInstanceOf(SessionDatabaseException.class)
                .hasMessageContaining("cancelled the statement");
        // The client's: a silent server is given up on, on the same connection (a cancel leaves it usable).
        assertThatThrownBy(() -> database.read(c -> {
                    proxy.fallSilent();
                    return one(c);
                }))
                .isInstanceOf(SessionDatabaseException.class)
                .hasMessageContaining("did not answer in time");
        proxy.speakAgain();
        answersAgain();
    }

    @Test
    void theBoundIsTwiceTheConnectionTimeoutAndAUrlThatSetsItsOwnKeepsIt() throws Exception {
        assertThat(settings("jdbc:postgresql://h/db", 5_000).answerTimeoutSeconds())
                .isEqualTo(10);
        assertThat(settings("jdbc:postgresql://h/db", 1_200).answerTimeoutSeconds())
                .isEqualTo(3);
        assertThat(settings("jdbc:postgresql://h/db", 250).answerTimeoutSeconds())
                .isEqualTo(1);
        // The server's bound: a second under the client's, at least half of it, none where the client waits for good.
        assertThat(settings("jdbc:postgresql://h/db", 5_000).statementTimeoutMs())
                .isEqualTo(9_000);
        assertThat(settings("jdbc:postgresql://h/db", 1_000).statementTimeoutMs())
                .isEqualTo(1_000);
        assertThat(settings("jdbc:postgresql://h/db", 250).statementTimeoutMs()).isEqualTo(500);
        assertThat(settings("jdbc:postgresql://h/db?socketTimeout=30", 5_000).statementTimeoutMs())
                .isEqualTo(29_000);
        assertThat(settings("jdbc:postgresql://h/db?socketTimeout=0", 5_000).statementTimeoutMs())
                .isNull();
        assertThat(settings("jdbc:postgresql://h/db?options=-c%20statement_timeout%3D60s", 5_000)
                        .statementTimeoutMs())
                .isNull();

        String own = proxy.url() + (proxy.url().contains("?") ? "&" : "?") + "socketTimeout=0";
        try (SharedDatabases.Lease<PostgreSQLDatabase> unbounded = PostgreSQLDatabase.acquire(
                settings(own, CONNECTION_TIMEOUT_MS),
                new SessionTable(SessionTable.DEFAULT_NAME, PostgreSQLDialect.INSTANCE),
                TableUse.SERVE,
                false)) {
            int answer = unbounded.database().read(c -> sleep(c, LONGER));
            assertThat(answer).isEqualTo(1);
        }
    }

    @Test
    void anApplicationsDataSourceKeepsItsBoundForRequestsAndLengthyWorkWaitsLonger() throws Exception {
        PGSimpleDataSource own = new PGSimpleDataSource();
        own.setURL(proxy.url());
        own.setSocketTimeout(2);
        try (SharedDatabases.Lease<PostgreSQLDatabase> application = PostgreSQLDatabase.acquire(
                new PostgreSQLConnectionSettings(null, null, null, 1, CONNECTION_TIMEOUT_MS, own, null),
                new SessionTable(SessionTable.DEFAULT_NAME, PostgreSQLDialect.INSTANCE),
                TableUse.SERVE,
                false)) {
            PostgreSQLDatabase db = application.database();
            int answer = db.lengthy(() -> db.read(c -> sleep(c, LONGER)));
            assertThat(answer).isEqualTo(1);
            assertThatThrownBy(() -> db.read(c -> sleep(c, LONGER)))
                    .isInstanceOf(SessionDatabaseException.class)
                    .hasMessageContaining("did not answer in time");
        }
    }

    @Test
    void anApplicationsPoolWhoseConnectionsBeginInATransactionGetsItsOwnStatementTimeoutBackAfterLengthyWork()
            throws Exception {
        HikariConfig config = new HikariConfig();
        config.setJdbcUrl(PostgreSQLServer.get().freshSchemaUrl());
        config.setMaximumPoolSize(1);
        // The application's choices: connections that begin in a transaction, and a statement_timeout of its own.
        config.setAutoCommit(false);
        config.setConnectionInitSql("SET statement_timeout = 4000");
        try (HikariDataSource own = new HikariDataSource(config);
                SharedDatabases.Lease<PostgreSQLDatabase> application = PostgreSQLDatabase.acquire(
                        new PostgreSQLConnectionSettings(null, null, null, 1, CONNECTION_TIMEOUT_MS, own, null),
                        new SessionTable(SessionTable.DEFAULT_NAME, PostgreSQLDialect.INSTANCE),
                        TableUse.SERVE,
                        false)) {
            PostgreSQLDatabase db = application.database();
            assertThat(db.lengthy(() -> db.read(PostgreSQLSilentServerTest::statementTimeout)))
                    .isEqualTo("599s");
            assertThat(db.lengthy(() -> db.write(PostgreSQLSilentServerTest::statementTimeout)))
                    .isEqualTo("599s");

            assertThat(db.read(PostgreSQLSilentServerTest::statementTimeout)).isEqualTo("4s");
            // Lengthy work that fails: a restore made inside a transaction the pool then rolls back would leave ten
            // minutes here.
            assertThatThrownBy(() -> db.lengthy(() -> db.read(c -> {
                        try (Statement statement = c.connection().createStatement()) {
                            return statement.executeQuery("SELECT * FROM no_such_table");
                        }
                    })))
                    .isInstanceOf(SessionDatabaseException.class);
            assertThat(db.read(PostgreSQLSilentServerTest::statementTimeout)).isEqualTo("4s");
        }
    }

    private static String statementTimeout(CachedConnection c) throws SQLException {
        try (Statement statement = c.connection().createStatement();
                ResultSet row = statement.executeQuery("SHOW statement_timeout")) {
            row.next();
            return row.getString(1);
        }
    }

    private static PostgreSQLConnectionSettings settings(String url, int connectionTimeoutMs) {
        return new PostgreSQLConnectionSettings(url, null, null, 1, connectionTimeoutMs, null, null);
    }

    /** The pool connects anew after its connection was given up; that takes a moment, which a read may not wait. */
    private void answersAgain() throws Exception {
        Waiting.until("a read on a fresh connection", () -> {
            try {
                return database.read(PostgreSQLSilentServerTest::one) == 1;
            } catch (SessionDatabaseException e) {
                return false;
            }
        });
    }

    private static int one(CachedConnection c) throws SQLException {
        return sleep(c, 0);
    }

    private static int sleep(CachedConnection c, double seconds) throws SQLException {
        try (Statement statement = c.connection().createStatement();
                ResultSet row = statement.executeQuery("SELECT 1 FROM pg_sleep(" + seconds + ")")) {
            row.next();
            return row.getInt(1);
        }
    }
}
