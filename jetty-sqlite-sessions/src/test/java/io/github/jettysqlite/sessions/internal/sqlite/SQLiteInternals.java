package io.github.jettysqlite.sessions.internal.sqlite;

import io.github.jettysqlite.sessions.SessionDatabaseException;
import io.github.jettysqlite.sessions.Synchronous;
import io.github.jettysqlite.sessions.internal.SqlWork;
import io.github.jettysqlite.sessions.internal.TableUse;
import io.github.jettysqlite.sessions.internal.engine.SharedDatabases;
import io.github.jettysqlite.sessions.internal.table.SessionTable;
import io.github.jettysqlite.sessions.internal.table.SqlDialect;
import io.github.jettysqlite.sessions.support.Waiting;
import java.nio.file.Path;
import java.sql.SQLException;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;

/**
 * For tests that look inside the database running stores share: its writer (to arrange a batch, count
 * transactions, run a pragma holding it) and its readers. Joins the open instance rather than opening another.
 */
public final class SQLiteInternals implements AutoCloseable {
    private final SharedDatabases.Lease<SQLiteDatabase> lease;

    private SQLiteInternals(SharedDatabases.Lease<SQLiteDatabase> lease) {
        this.lease = lease;
    }

    /** Joins the database open on the file (or opens it); close this before checking that the file was closed. */
    public static SQLiteInternals of(Path file) throws SessionDatabaseException {
        return new SQLiteInternals(SQLiteDatabase.acquire(
                new SQLiteDatabaseSettings(file, Synchronous.NORMAL, 5_000, 2),
                new SessionTable(SessionTable.DEFAULT_NAME, SqlDialect.SQLITE),
                TableUse.SERVE,
                true));
    }

    /** Runs work holding the writer of the database open on the file, outside any transaction. */
    public static <R> R runExclusive(Path file, SqlWork<R> work) throws SQLException {
        try (SQLiteInternals database = of(file)) {
            return database.exclusive(work);
        }
    }

    public SQLiteDatabase database() {
        return lease.database();
    }

    GroupCommitWriter writer() {
        return lease.database().writer();
    }

    /**
     * Occupies the writer on a thread of the pool until the returned latch is counted down, so that writes queue up
     * behind it.
     */
    static CountDownLatch hold(GroupCommitWriter writer, ExecutorService pool) {
        CountDownLatch holding = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        pool.submit(() -> writer.exclusive(c -> {
            holding.countDown();
            Waiting.await(release, "the test releasing the writer");
            return null;
        }));
        Waiting.await(holding, "the writer held");
        return release;
    }

    /** Whether the thread is queued in a reader pool, waiting for a connection to come free. */
    static boolean queuedForAReadConnection(Thread thread) {
        if (thread == null || thread.getState() != Thread.State.TIMED_WAITING) {
            return false;
        }
        for (StackTraceElement frame : thread.getStackTrace()) {
            if (frame.getClassName().equals(ReaderPool.class.getName())
                    && frame.getMethodName().equals("queue")) {
                return true;
            }
        }
        return false;
    }

    ReaderPool readers() {
        return lease.database().readers();
    }

    /** Runs work holding the writer, outside any transaction. */
    public <R> R exclusive(SqlWork<R> work) throws SQLException {
        return writer().exclusive(work);
    }

    /** Transactions the writer has committed. */
    public long transactions() {
        return writer().counts().transactions();
    }

    /** Read connections open now. */
    public int readersOpened() {
        return readers().opened();
    }

    @Override
    public void close() {
        lease.close();
    }
}
