package io.github.jettysqlite.sessions.postgresql.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.jettysqlite.sessions.internal.CachedConnection;
import io.github.jettysqlite.sessions.internal.ChangeSignals.Change;
import io.github.jettysqlite.sessions.internal.SessionScope;
import io.github.jettysqlite.sessions.internal.TableUse;
import io.github.jettysqlite.sessions.internal.engine.SharedDatabases;
import io.github.jettysqlite.sessions.internal.table.SessionTable;
import io.github.jettysqlite.sessions.support.PostgreSQLRequired;
import io.github.jettysqlite.sessions.support.PostgreSQLServer;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.SQLFeatureNotSupportedException;
import java.sql.Statement;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import javax.sql.DataSource;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.postgresql.ds.PGSimpleDataSource;
import org.postgresql.jdbc.PgConnection;

/**
 * How one unit of work treats its connection whatever becomes of the work: an error leaves nothing committed, a
 * connection that cannot be closed after work that succeeded does not make it run again, and the bound the store
 * puts on a new connection's statements never raises one its server already has.
 */
@ExtendWith(PostgreSQLRequired.class)
class PostgreSQLUnitOfWorkTest {
    private static final int CONNECTION_TIMEOUT_MS = 1_000;
    private static final SessionScope SCOPE = new SessionScope("_shop", "0.0.0.0");

    private String url;
    private SharedDatabases.Lease<PostgreSQLDatabase> lease;

    @BeforeEach
    void open() throws Exception {
        url = PostgreSQLServer.get().freshSchemaUrl();
        try (Connection c = DriverManager.getConnection(url);
                Statement statement = c.createStatement()) {
            statement.execute("CREATE TABLE scratch (x int)");
        }
    }

    @AfterEach
    void close() {
        if (lease != null) {
            lease.close();
        }
    }

    @Test
    void workThatFailsWithAnErrorCommitsNothing() throws Exception {
        PostgreSQLDatabase database = pool();

        assertThatThrownBy(() -> database.write(c -> {
                    insert(c);
                    throw new AssertionError("the work's own error");
                }))
                .isInstanceOf(AssertionError.class);
        // Lengthy work too, which runs in a transaction even as a single statement.
        assertThatThrownBy(() -> database.lengthy(() -> database.writeStatement(c -> {
                    insert(c);
                    throw new AssertionError("the work's own error");
                })))
                .isInstanceOf(AssertionError.class);

        assertThat(database.read(PostgreSQLUnitOfWorkTest::rows))
                .as("a connection put back in autocommit would have committed the insert")
                .isZero();
        assertThat(database.<String>read(c -> setting(c.connection(), "statement_timeout")))
                .as("the lengthy bound ended with its transaction")
                .isEqualTo("1s");
    }

    @ParameterizedTest(name = "rollback fails with {0}")
    @ValueSource(strings = {"SQLException", "RuntimeException", "Error"})
    void workWhoseRollbackFailsOnALiveConnectionCommitsNothing(String failure) throws Exception {
        // Still open after the refusal: a connection put back in autocommit now would commit what the work did.
        PostgreSQLDatabase database = applicationsPool((wrapper, connection, method, args) -> {
            if (method.getName().equals("rollback")) {
                throw switch (failure) {
                    case "SQLException" -> new SQLException("rollback refused");
                    case "RuntimeException" -> new IllegalStateException("rollback refused");
                    default -> new LinkageError("rollback refused");
                };
            }
            return invoke(method, connection, args);
        });

        assertThatThrownBy(() -> database.write(c -> {
                    insert(c);
                    throw new AssertionError("the work's own error");
                }))
                .isInstanceOf(AssertionError.class)
                .hasMessage("the work's own error");

        try (Connection c = DriverManager.getConnection(url)) {
            assertThat(rows(new CachedConnection(c))).isZero();
        }
    }

    @ParameterizedTest(name = "abort fails with {0}")
    @ValueSource(strings = {"SQLFeatureNotSupportedException", "AbstractMethodError"})
    void aConnectionThatCannotBeAbortedAfterAFailedRollbackHasTheDriversConnectionClosed(String failure)
            throws Exception {
        // A pool's connection that neither rolls back nor aborts, and whose close only takes it back, open: the
        // driver's connection underneath must be closed, or the pool would lend it again inside the transaction.
        List<Connection> opened = new CopyOnWriteArrayList<>();
        PostgreSQLDatabase database = applicationsPool((wrapper, connection, method, args) -> {
            if (!opened.contains(connection)) {
                opened.add(connection);
            }
            switch (method.getName()) {
                case "rollback" -> throw new SQLException("rollback refused");
                case "abort" ->
                    throw failure.equals("AbstractMethodError")
                            ? new AbstractMethodError("a pool older than JDBC 4.1")
                            : new SQLFeatureNotSupportedException("abort not offered");
                case "close" -> {
                    return null;
                }
                case "unwrap" -> {
                    // As a pool's wrapper may: itself for what it is, and the driver's connection only when asked for
                    // the driver's own interface.
                    return ((Class<?>) args[0]).isInstance(wrapper) ? wrapper : invoke(method, connection, args);
                }
                default -> {
                    return invoke(method, connection, args);
                }
            }
        });
        try {
            AtomicReference<Connection> used = new AtomicReference<>();

            assertThatThrownBy(() -> database.write(c -> {
                        used.set(c.connection().unwrap(PgConnection.class));
                        insert(c);
                        throw new AssertionError("the work's own error");
                    }))
                    .isInstanceOf(AssertionError.class);

            assertThat(used.get().isClosed()).isTrue();
            try (Connection c = DriverManager.getConnection(url)) {
                assertThat(rows(new CachedConnection(c))).isZero();
            }
        } finally {
            for (Connection connection : opened) {
                connection.close();
            }
        }
    }

    @Test
    void aNotificationSentAgainAfterLengthyWorkWaitsNoLongerThanARequests() throws Exception {
        // The first notification, on the lengthy work's own connection, fails; the one more attempt on another
        // connection is a request's kind of statement, and must not lift the bounds again.
        AtomicBoolean notificationRefused = new AtomicBoolean();
        AtomicInteger lifts = new AtomicInteger();
        AtomicInteger aborts = new AtomicInteger();
        PostgreSQLDatabase database = applicationsPool((wrapper, connection, method, args) -> {
            if (method.getName().equals("abort")) {
                aborts.incrementAndGet();
            }
            if (method.getName().equals("prepareStatement")
                    && ((String) args[0]).contains("pg_notify")
                    && notificationRefused.compareAndSet(false, true)) {
                throw new SQLException("notification refused");
            }
            if (method.getName().equals("setNetworkTimeout")
                    && (Integer) args[1] == PostgreSQLDatabase.LENGTHY_ANSWER_TIMEOUT_MS) {
                lifts.incrementAndGet();
            }
            return invoke(method, connection, args);
        });

        lifts.set(0); // the schema's check as the store opened was lengthy work too
        Change change = database.signals().begin(SessionTable.DEFAULT_NAME, SCOPE, "s1");
        try {
            database.lengthy(() -> database.writeStatement(PostgreSQLUnitOfWorkTest::insert));
        } finally {
            database.signals().end(change);
        }

        assertThat(notificationRefused).isTrue();
        assertThat(database.outages().changesNotAnnounced())
                .as("sent on the second try")
                .isZero();
        assertThat(lifts).as("the work's own lift only").hasValue(1);
        assertThat(aborts)
                .as("the work had committed: its connection is sound, and nothing is left to roll back")
                .hasValue(0);
    }

    @Test
    void aNotificationAfterLengthyWorkWhoseBoundCannotBePutBackGoesOutOnAnotherConnection() throws Exception {
        // The connection that cannot take back its bound is thrown away: the notification must not be sent on it.
        AtomicBoolean refusing = new AtomicBoolean();
        AtomicReference<Connection> refused = new AtomicReference<>();
        List<Connection> notifiedOn = new CopyOnWriteArrayList<>();
        List<String> askedAfterRefusal = new CopyOnWriteArrayList<>();
        PostgreSQLDatabase database = applicationsPool((wrapper, connection, method, args) -> {
            if (connection == refused.get()) {
                askedAfterRefusal.add(method.getName());
            }
            if (method.getName().equals("setNetworkTimeout")
                    && (Integer) args[1] != PostgreSQLDatabase.LENGTHY_ANSWER_TIMEOUT_MS
                    && refusing.get()
                    && refused.compareAndSet(null, connection)) {
                throw new SQLException("bound refused");
            }
            if (method.getName().equals("prepareStatement") && ((String) args[0]).contains("pg_notify")) {
                notifiedOn.add(connection);
            }
            return invoke(method, connection, args);
        });
        refusing.set(true);

        Change change = database.signals().begin(SessionTable.DEFAULT_NAME, SCOPE, "s1");
        try {
            database.lengthy(() -> database.writeStatement(PostgreSQLUnitOfWorkTest::insert));
        } finally {
            database.signals().end(change);
        }

        assertThat(refused.get()).isNotNull();
        assertThat(refused.get().isClosed()).as("thrown away").isTrue();
        assertThat(askedAfterRefusal).as("nothing asked of it but to go").containsExactly("abort", "close");
        assertThat(notifiedOn).hasSize(1).doesNotContain(refused.get());
        assertThat(database.outages().changesNotAnnounced()).isZero();
        assertThat(database.read(PostgreSQLUnitOfWorkTest::rows))
                .as("the write stands")
                .isEqualTo(1);
    }

    @Test
    void aConnectionThatCannotBeClosedAfterTheWorkDoesNotMakeTheWorkRunAgain() throws Exception {
        // An application's pool may refuse to close a connection it finds broken (HikariCP's does, after an abort).
        applicationsPool((wrapper, connection, method, args) -> {
            Object answer = invoke(method, connection, args);
            if (method.getName().equals("close")) {
                throw new SQLException("Connection is closed", "08003");
            }
            return answer;
        });
        AtomicInteger runs = new AtomicInteger();

        lease.database().write(c -> {
            runs.incrementAndGet();
            return insert(c);
        });

        assertThat(runs).hasValue(1);
        assertThat(lease.database().read(PostgreSQLUnitOfWorkTest::rows)).isEqualTo(1);
    }

    @Test
    void aNewConnectionsStatementTimeoutIsBroughtDownToTheBoundButNeverRaised() throws Exception {
        try (Connection c = DriverManager.getConnection(url);
                Statement statement = c.createStatement()) {
            for (String[] before_after : new String[][] {{"0", "9s"}, {"60s", "9s"}, {"2s", "2s"}, {"9s", "9s"}}) {
                statement.execute("SET statement_timeout = '" + before_after[0] + "'");
                statement.execute(AnswerBounds.capStatementTimeout(9_000));
                assertThat(setting(c, "statement_timeout"))
                        .as("from " + before_after[0])
                        .isEqualTo(before_after[1]);
            }
        }
    }

    @Test
    void aLayoutChangesLockWaitIsBroughtDownTo2sButNeverRaised() throws Exception {
        try (Connection c = DriverManager.getConnection(url);
                Statement statement = c.createStatement()) {
            for (String[] before_after : new String[][] {{"0", "2s"}, {"1min", "2s"}, {"500ms", "500ms"}}) {
                statement.execute("SET lock_timeout = '" + before_after[0] + "'");
                c.setAutoCommit(false);
                statement.execute(PostgreSQLSchema.BOUND_LOCK_WAIT);
                assertThat(setting(c, "lock_timeout"))
                        .as("from " + before_after[0])
                        .isEqualTo(before_after[1]);
                c.rollback();
                c.setAutoCommit(true);
                assertThat(setting(c, "lock_timeout"))
                        .as("only for the transaction")
                        .isEqualTo(before_after[0]);
            }
        }
    }

    private static String setting(Connection c, String name) throws SQLException {
        try (Statement statement = c.createStatement();
                ResultSet row = statement.executeQuery("SHOW " + name)) {
            row.next();
            return row.getString(1);
        }
    }

    /** An application's data source, whose connections answer each call as {@code calls} says. */
    private PostgreSQLDatabase applicationsPool(Calls calls) throws Exception {
        PGSimpleDataSource real = new PGSimpleDataSource();
        real.setURL(url);
        lease = PostgreSQLDatabase.acquire(
                new PostgreSQLConnectionSettings(
                        null, null, null, 1, CONNECTION_TIMEOUT_MS, answering(real, calls), null),
                new SessionTable(SessionTable.DEFAULT_NAME, PostgreSQLDialect.INSTANCE),
                TableUse.SERVE,
                false);
        return lease.database();
    }

    /** The store's own pool, whose connections' statements the server cancels after a second. */
    private PostgreSQLDatabase pool() throws Exception {
        lease = PostgreSQLDatabase.acquire(
                new PostgreSQLConnectionSettings(url, null, null, 1, CONNECTION_TIMEOUT_MS, null, null),
                new SessionTable(SessionTable.DEFAULT_NAME, PostgreSQLDialect.INSTANCE),
                TableUse.SERVE,
                false);
        return lease.database();
    }

    private static int insert(CachedConnection c) throws SQLException {
        try (Statement statement = c.connection().createStatement()) {
            return statement.executeUpdate("INSERT INTO scratch VALUES (1)");
        }
    }

    private static int rows(CachedConnection c) throws SQLException {
        try (Statement statement = c.connection().createStatement();
                ResultSet row = statement.executeQuery("SELECT count(*) FROM scratch")) {
            row.next();
            return row.getInt(1);
        }
    }

    /** What a test's connection (the wrapper) does with one call, given the real connection behind it. */
    private interface Calls {
        Object answer(Object wrapper, Connection connection, Method method, Object[] args) throws Throwable;
    }

    private static DataSource answering(DataSource real, Calls calls) {
        return (DataSource) Proxy.newProxyInstance(
                DataSource.class.getClassLoader(), new Class<?>[] {DataSource.class}, (proxy, method, args) -> {
                    Object result = invoke(method, real, args);
                    if (!method.getName().equals("getConnection")) {
                        return result;
                    }
                    Connection connection = (Connection) result;
                    return Proxy.newProxyInstance(
                            Connection.class.getClassLoader(),
                            new Class<?>[] {Connection.class},
                            (p, m, a) -> calls.answer(p, connection, m, a));
                });
    }

    private static Object invoke(Method method, Object target, Object[] args) throws Throwable {
        try {
            return method.invoke(target, args);
        } catch (InvocationTargetException e) {
            throw e.getCause();
        }
    }
}
