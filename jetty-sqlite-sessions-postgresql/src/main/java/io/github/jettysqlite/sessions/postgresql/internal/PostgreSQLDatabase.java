package io.github.jettysqlite.sessions.postgresql.internal;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import io.github.jettysqlite.sessions.SessionDatabaseException;
import io.github.jettysqlite.sessions.internal.CachedConnection;
import io.github.jettysqlite.sessions.internal.OutageWatch;
import io.github.jettysqlite.sessions.internal.Redaction;
import io.github.jettysqlite.sessions.internal.SessionDatabase;
import io.github.jettysqlite.sessions.internal.SqlWork;
import io.github.jettysqlite.sessions.internal.TableUse;
import io.github.jettysqlite.sessions.internal.UnhurriedDatabase;
import io.github.jettysqlite.sessions.internal.engine.SharedDatabases;
import io.github.jettysqlite.sessions.internal.table.SessionSchema;
import io.github.jettysqlite.sessions.internal.table.SessionTable;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.concurrent.TimeUnit;
import javax.sql.DataSource;
import org.postgresql.PGConnection;
import org.postgresql.jdbc.PgConnection;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A PostgreSQL server reached through a connection pool. Unlike an SQLite file it needs no writer of its own: the
 * server orders concurrent transactions, so each unit of work borrows a connection, runs in its own transaction
 * and gives the connection back.
 *
 * <p>Every store with the same settings shares one instance and so one pool. A pool built from a URL is closed with
 * the last lease; an application's own {@link DataSource} is never closed here.
 */
public final class PostgreSQLDatabase implements SessionDatabase {
    private static final Logger LOG = LoggerFactory.getLogger(PostgreSQLDatabase.class);

    private static final SharedDatabases<Object, PostgreSQLDatabase> OPEN = new SharedDatabases<>();
    private static final long FIRST_PAUSE_MS = 25;
    private static final long MAX_PAUSE_MS = 500;
    /**
     * How long lengthy work (the schema, an administrator's tools) waits for each answer: long enough for a count or
     * an index over a very large table, and still an end when the server's machine died after taking the statement.
     */
    static final int LENGTHY_ANSWER_TIMEOUT_MS = 10 * 60_000;
    /** The least a writer waits for another's notification before sending its own alone. */
    private static final long MIN_NOTIFY_WAIT_MS = 100;

    private final PostgreSQLConnectionSettings settings;
    private final DataSource dataSource;
    private final HikariDataSource ownedPool;
    private volatile String location;
    private final OutageWatch outages;
    private final PostgreSQLChangeSignals signals;
    /** How many lengthy calls this thread is inside (see {@link #lengthy}). */
    private final ThreadLocal<int[]> lengthyDepth = ThreadLocal.withInitial(() -> new int[1]);

    private final UnhurriedDatabase unhurried = new UnhurriedDatabase(this);

    private PostgreSQLDatabase(
            PostgreSQLConnectionSettings settings, DataSource dataSource, HikariDataSource ownedPool) {
        this.settings = settings;
        this.dataSource = dataSource;
        this.ownedPool = ownedPool;
        this.location = settings.location();
        this.outages = new OutageWatch(settings.location());
        this.signals = new PostgreSQLChangeSignals(settings::openListening, settings.location());
    }

    /**
     * Connects (or joins the pool already open) and readies {@code table} for the use.
     *
     * @param joinAnySettings whether to join a pool already open on the same server and user whatever its settings
     *     (tools inside a running server take the server's pool)
     * @throws SessionDatabaseException naming the server and the cause when it cannot be used
     */
    public static SharedDatabases.Lease<PostgreSQLDatabase> acquire(
            PostgreSQLConnectionSettings settings, SessionTable table, TableUse use, boolean joinAnySettings)
            throws SessionDatabaseException {
        return OPEN.acquire(
                settings.poolKey(),
                key -> open(settings),
                open -> {
                    if (!joinAnySettings && !open.settings.equals(settings)) {
                        throw new SessionDatabaseException(
                                "Session database " + settings.location() + " is already open with " + open.settings
                                        + "; every store on one server and user must use the same settings, but this"
                                        + " one asks for " + settings,
                                null);
                    }
                },
                SessionSchema.of(table),
                use);
    }

    private static PostgreSQLDatabase open(PostgreSQLConnectionSettings settings) throws SessionDatabaseException {
        if (settings.dataSource() != null) {
            PostgreSQLDatabase database = new PostgreSQLDatabase(settings, settings.dataSource(), null);
            database.requirePostgres();
            return database;
        }
        HikariConfig config = new HikariConfig();
        config.setJdbcUrl(settings.url());
        config.setUsername(settings.user());
        config.setPassword(settings.password());
        config.setMaximumPoolSize(settings.poolSize());
        config.setMinimumIdle(1);
        config.setConnectionTimeout(settings.connectionTimeoutMs());
        config.setPoolName("jetty-sessions " + settings.location());
        // A statement the server never answers fails, as a lost connection, instead of holding the request; lengthy
        // work waits longer (attempt). Keepalive ends a connection whose server vanished while it sat idle.
        config.addDataSourceProperty("socketTimeout", Integer.toString(settings.answerTimeoutSeconds()));
        config.addDataSourceProperty("tcpKeepAlive", "true");
        // And the server ends a statement itself a little before that, so that one waiting for a lock is cancelled
        // there rather than abandoned: an abandoned statement keeps its backend (and may commit after its request
        // was told it failed) until the lock goes.
        // Set on each new connection rather than in the startup packet's options, which poolers such as PgBouncer
        // refuse by default.
        Integer statementTimeoutMs = settings.statementTimeoutMs();
        if (statementTimeoutMs != null) {
            config.setConnectionInitSql(AnswerBounds.capStatementTimeout(statementTimeoutMs));
        }
        // Fail now, with the server's own reason, rather than on the first request.
        config.setInitializationFailTimeout(settings.connectionTimeoutMs());
        if (settings.metricRegistry() != null) {
            config.setMetricRegistry(settings.metricRegistry());
        }
        try {
            HikariDataSource pool = new HikariDataSource(config);
            return new PostgreSQLDatabase(settings, pool, pool);
        } catch (RuntimeException e) {
            // The pool wraps the driver's refusal, whose SQLSTATE says why.
            Exception cause = e.getCause() instanceof SQLException sql ? sql : e;
            throw PostgreSQLErrors.describe(settings.location(), cause, settings.password());
        }
    }

    /**
     * An application's data source could point anywhere; the SQL here is PostgreSQL's. Its server's URL (without
     * credentials) names it in every later message.
     */
    private void requirePostgres() throws SessionDatabaseException {
        String[] product = read(c -> new String[] {
            c.connection().getMetaData().getDatabaseProductName(),
            c.connection().getMetaData().getURL()
        });
        if (product[1] != null) {
            location = settings.location() + " (" + Redaction.url(product[1]) + ")";
        }
        if (!"PostgreSQL".equalsIgnoreCase(product[0])) {
            throw new SessionDatabaseException(
                    "Session database " + location + " is " + product[0]
                            + ", not PostgreSQL; a DataSource must reach PostgreSQL (for SQLite, use the SQLite store)",
                    null);
        }
    }

    @Override
    public <R> R write(SqlWork<R> work) throws SessionDatabaseException {
        return run(work, true, signals.pending());
    }

    /** One statement in autocommit: BEGIN and COMMIT would add a round trip to the server's own commit. */
    @Override
    public <R> R writeStatement(SqlWork<R> work) throws SessionDatabaseException {
        return run(work, false, signals.pending());
    }

    @Override
    public <R> R read(SqlWork<R> work) throws SessionDatabaseException {
        return run(work, false, null);
    }

    /**
     * Work that may rightly take long (the schema, an administrator's tools) waits up to {@link
     * #LENGTHY_ANSWER_TIMEOUT_MS} for each answer, not the bound a request's statements have.
     */
    @Override
    public <R> R lengthy(DatabaseCall<R> call) throws SessionDatabaseException {
        int[] depth = lengthyDepth.get();
        depth[0]++;
        try {
            return call.call();
        } finally {
            depth[0]--;
        }
    }

    @Override
    public SessionDatabase unhurried() {
        return unhurried;
    }

    /** Other nodes' coherent caches learn of this node's changes by the notifications its writes send. */
    @Override
    public PostgreSQLChangeSignals signals() {
        return signals;
    }

    /**
     * Runs the work, and runs it again on a fresh connection while the server is unreachable (see {@link
     * ConnectionLoss}, which says why every unit of work here may run twice), for up to the connection timeout from
     * the first failure: a restart or a failover shorter than that only makes requests slower.
     */
    private <R> R run(SqlWork<R> work, boolean transaction, PostgreSQLChangeSignals.Pending notification)
            throws SessionDatabaseException {
        // The wait counts from the call, so a unit of work waits about connectionTimeoutMs at most in all (plus the
        // attempt under way when it runs out), not that much again after each failure.
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(settings.connectionTimeoutMs());
        long pause = FIRST_PAUSE_MS;
        while (true) {
            try {
                R result = attempt(work, transaction, lengthyDepth.get()[0] > 0, notification, deadline);
                outages.answered();
                return result;
            } catch (NotAnnounced e) {
                // Not run again: the write committed, and running it twice is what must not happen.
                outages.answered();
                notifyAgain(notification, e.getCause());
                @SuppressWarnings("unchecked")
                R committed = (R) e.result;
                return committed;
            } catch (SQLException | RuntimeException e) {
                long now = System.nanoTime();
                boolean lost = ConnectionLoss.isConnectionLoss(e);
                if (!lost && !ConnectionLoss.isConflict(e)) {
                    if (ConnectionLoss.isCancelled(e)) {
                        // The server took too long to finish it (most often a lock held elsewhere): what a silent
                        // server's statement given up on by the client counts as too.
                        outages.gaveUp();
                    }
                    throw PostgreSQLErrors.describe(location, e, settings.password());
                }
                if (now >= deadline) {
                    outages.gaveUp();
                    throw PostgreSQLErrors.describe(location, e, settings.password());
                }
                outages.retrying(e, settings.connectionTimeoutMs(), lost);
                pause = pauseBeforeRetry(pause, deadline - now, e);
            }
        }
    }

    /** Waits a little longer each time (up to half a second), never past the deadline; returns the next pause. */
    private long pauseBeforeRetry(long pauseMs, long nanosLeft, Exception failure) throws SessionDatabaseException {
        long nanos = Math.min(TimeUnit.MILLISECONDS.toNanos(pauseMs), nanosLeft);
        long start = System.nanoTime();
        try {
            TimeUnit.NANOSECONDS.sleep(nanos);
        } catch (InterruptedException interrupted) {
            Thread.currentThread().interrupt();
            throw PostgreSQLErrors.describe(location, failure, settings.password());
        } finally {
            outages.waited(System.nanoTime() - start);
        }
        return Math.min(pauseMs * 2, MAX_PAUSE_MS);
    }

    /**
     * @param lengthy whether the work may wait {@link #LENGTHY_ANSWER_TIMEOUT_MS} for each answer
     * @param notification what to tell other nodes of the write (see {@link PostgreSQLChangeSignals}), or null
     * @param deadline when the unit of work's wait runs out (System.nanoTime), bounding the notification's wait too
     */
    private <R> R attempt(
            SqlWork<R> work,
            boolean transaction,
            boolean lengthy,
            PostgreSQLChangeSignals.Pending notification,
            long deadline)
            throws SQLException {
        Lent lent = new Lent(dataSource.getConnection());
        try {
            return attemptOn(lent, work, transaction, lengthy, notification, deadline);
        } finally {
            // Whatever the work's outcome (a commit stands), a connection the pool cannot take back cleanly is the
            // pool's to replace: an application's pool refuses to close one discarded below, and that must not make
            // finished work run again. One the store's own pool has evicted is no longer the pool's to take back.
            if (!lent.evicted) {
                closeQuietly(lent.connection);
            }
        }
    }

    /** A connection borrowed for one attempt, and whether it has been thrown away (by the store's own pool, or not). */
    private static final class Lent {
        final Connection connection;
        boolean discarded;
        boolean evicted;

        Lent(Connection connection) {
            this.connection = connection;
        }
    }

    private <R> R attemptOn(
            Lent lent,
            SqlWork<R> work,
            boolean transaction,
            boolean lengthy,
            PostgreSQLChangeSignals.Pending notification,
            long deadline)
            throws SQLException {
        Connection connection = lent.connection;
        CachedConnection c = new CachedConnection(connection);
        boolean autoCommit = connection.getAutoCommit();
        // A single statement runs in autocommit: BEGIN and COMMIT would add a round trip to the server's own commit.
        // Lengthy work runs in a transaction of its own whatever its kind, so that its lifted bounds end with it.
        boolean inTransaction = transaction || lengthy;
        // Whether nothing uncommitted can be left on the connection, so that putting it back in autocommit (which
        // commits an open transaction) is safe.
        boolean settled = !inTransaction;
        int liftedFromMs = -1;
        try {
            connection.setAutoCommit(!inTransaction);
            if (lengthy) {
                liftedFromMs = AnswerBounds.lift(connection, LENGTHY_ANSWER_TIMEOUT_MS);
            }
            R result = work.run(c);
            if (inTransaction) {
                connection.commit();
                settled = true;
            }
            if (liftedFromMs >= 0) {
                // The notification is a request's kind of statement again: one stuck on a silent server would hold up
                // every writer waiting to share it.
                int lifted = liftedFromMs;
                liftedFromMs = -1;
                restoreBound(lent, lifted);
            }
            if (lent.discarded && notification != null) {
                // Not on a connection thrown away: sent once more on another.
                throw new NotAnnounced(new SQLException("its connection could not take back its bound"), result);
            }
            if (notification != null) {
                notifyAfterCommit(connection, notification, result, deadline);
            }
            return result;
        } catch (Throwable e) {
            // Whatever the failure (an Error too), before the commit: what the transaction did so far must not
            // commit as the connection goes back to autocommit below.
            if (!settled) {
                try {
                    settled = rollBack(connection);
                } catch (Error rollbackError) {
                    // The work's failure is the one to report (and it may be retried); the connection is thrown away
                    // below.
                    LOG.warn("Session database {}: rolling back failed work failed", location, rollbackError);
                    e.addSuppressed(rollbackError);
                }
            }
            throw e;
        } finally {
            c.forgetStatements();
            if (lent.discarded) {
                // nothing to put back
            } else if (settled) {
                if (liftedFromMs >= 0) {
                    restoreBound(lent, liftedFromMs);
                }
                if (!lent.discarded) {
                    restoreAutoCommit(connection, autoCommit);
                }
            } else {
                // The rollback failed (or never ran): the transaction may still be open and the connection alive, and
                // autocommit would commit it. Thrown away instead; the server rolls back as it goes.
                discard(lent);
            }
        }
    }

    /**
     * Puts back the driver's bound lengthy work lifted (the server's ended with the transaction). A connection that
     * cannot take it back is discarded rather than lent to a request with ten minutes to wait; the work's own outcome
     * stands either way (it may have committed).
     */
    private void restoreBound(Lent lent, int networkTimeoutMs) {
        try {
            AnswerBounds.restore(lent.connection, networkTimeoutMs);
        } catch (SQLException | RuntimeException | LinkageError e) {
            LOG.debug("Discarding a connection that could not take back its bound", e);
            discard(lent);
        }
    }

    private void discard(Lent lent) {
        lent.discarded = true;
        if (ownedPool != null) {
            ownedPool.evictConnection(lent.connection);
            lent.evicted = true;
            return;
        }
        try {
            // An application's pool finds it closed and replaces it.
            lent.connection.abort(Runnable::run);
        } catch (SQLException | RuntimeException | LinkageError e) {
            // A pool's wrapper that cannot abort (an AbstractMethodError from one older than JDBC 4.1): the driver's
            // connection underneath is closed instead, or the pool would lend it again as it is.
            LOG.warn(
                    "Session database {}: a connection to throw away could not be aborted ({}); closing the driver's"
                            + " connection underneath",
                    location,
                    e.toString());
            closeUnderneath(lent.connection);
        }
    }

    private void closeUnderneath(Connection wrapper) {
        try {
            // The driver's own class: a wrapper that answers for itself would only go back to its pool.
            if (wrapper.unwrap(PGConnection.class) instanceof PgConnection driver) {
                driver.close();
                return;
            }
            LOG.warn(
                    "Session database {}: the pool's connection gives no access to the driver's; the pool's own checks"
                            + " must find it unusable",
                    location);
        } catch (SQLException | RuntimeException | LinkageError closing) {
            LOG.warn("Session database {}: closing the driver's connection failed too", location, closing);
        }
    }

    private static void closeQuietly(Connection connection) {
        try {
            connection.close();
        } catch (SQLException | RuntimeException e) {
            // the pool discards a connection it cannot take back; the work's outcome is what counts
            LOG.debug("Closing a connection failed after its unit of work", e);
        }
    }

    /**
     * Right after the commit, on the same connection (no second connection to wait for, nothing in between), or with
     * other writers' notifications when several wait at once.
     */
    private void notifyAfterCommit(
            Connection connection, PostgreSQLChangeSignals.Pending notification, Object result, long deadline) {
        try {
            connection.setAutoCommit(true);
            // What is left of the unit of work's wait, but never so little that a writer behind a busy one sends
            // alone at once.
            long leftMs = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
            signals.announce(connection, notification, Math.max(MIN_NOTIFY_WAIT_MS, leftMs));
            outages.changeAnnounced();
        } catch (SQLException e) {
            throw new NotAnnounced(e, result);
        } catch (RuntimeException e) {
            // Whatever went wrong, the write committed: never run again, its notification sent once more elsewhere.
            throw new NotAnnounced(new SQLException("sending the notification failed: " + e, e), result);
        } catch (Error e) {
            outages.changeNotAnnounced(e);
            throw e;
        }
    }

    /**
     * A write committed and its notification failed on its connection: sent once more, on another connection, in one
     * attempt. The write stands either way: it is in the table, and failing its request would tell the
     * user a change was lost that was not. When even that fails, other nodes see the change within the second their
     * caches trust a copy (a server that restarted or went away ended their listening connections too, and with them
     * every trust).
     */
    private void notifyAgain(PostgreSQLChangeSignals.Pending notification, SQLException first) {
        // One more attempt, on another connection, not the outage wait: the write is done, and a request must not
        // wait twice for a server that is going away (nor count as given up for a save that was not).
        try {
            attempt(
                    c -> {
                        PostgreSQLChangeSignals.send(c.connection(), notification);
                        return null;
                    },
                    false,
                    // A request's bounds, even after lengthy work: the work is done, and this only tells others.
                    false,
                    null,
                    System.nanoTime());
            outages.changeAnnounced();
        } catch (SQLException | RuntimeException e) {
            outages.changeNotAnnounced(e);
        }
    }

    @Override
    public OutageWatch outages() {
        return outages;
    }

    /** The connection goes back to a pool that may not be ours: leave it as it was lent. */
    private static void restoreAutoCommit(Connection connection, boolean autoCommit) {
        try {
            connection.setAutoCommit(autoCommit);
        } catch (SQLException | RuntimeException e) {
            // a broken connection, which the pool discards; the failure that broke it is the one to report
            LOG.debug("Putting a connection back in its autocommit mode failed", e);
        }
    }

    /** Whether the transaction was rolled back; the failure that ended the work is the one to report. */
    private static boolean rollBack(Connection connection) {
        try {
            connection.rollback();
            return true;
        } catch (SQLException | RuntimeException e) {
            LOG.debug("Rolling back a failed unit of work failed", e);
            return false;
        }
    }

    /** Closes the pool this instance built; an application's own data source stays open. */
    @Override
    public void close() {
        signals.close();
        if (ownedPool != null) {
            ownedPool.close();
        }
    }

    @Override
    public String location() {
        return location;
    }

    public PostgreSQLConnectionSettings settings() {
        return settings;
    }
}
