package io.github.jettysqlite.sessions.internal.sqlite;

import io.github.jettysqlite.sessions.Checkpoints;
import io.github.jettysqlite.sessions.SessionDatabaseException;
import io.github.jettysqlite.sessions.internal.CachedConnection;
import io.github.jettysqlite.sessions.internal.ChangeSignals;
import io.github.jettysqlite.sessions.internal.SqlWork;
import io.github.jettysqlite.sessions.internal.TableUse;
import io.github.jettysqlite.sessions.internal.engine.SharedDatabases;
import io.github.jettysqlite.sessions.internal.table.SessionSchema;
import io.github.jettysqlite.sessions.internal.table.SessionTable;
import java.nio.file.Path;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One open SQLite file: its group-committing writer, its readers, the housekeeping that keeps it healthy, and the
 * check that it is still the file that was opened.
 *
 * <p>Every store and tool that names the same real file shares one instance through {@link #acquire}, so a server
 * holds one writer per file however many contexts it runs.
 */
public final class SQLiteDatabase implements SQLiteFile {
    /** Free pages (4 MiB at SQLite's default page size) a sweep leaves for new sessions to reuse. */
    public static final long FREE_PAGES_KEPT_FOR_REUSE = 1024;

    private static final Logger LOG = LoggerFactory.getLogger(SQLiteDatabase.class);
    private static final SharedDatabases<Path, SQLiteDatabase> OPEN = new SharedDatabases<>();

    private final SQLiteDatabaseSettings settings;
    private final Housekeeping housekeeping;
    private final GroupCommitWriter writer;
    private final Checkpointer checkpointer;
    private final ReaderPool readers;
    private final FileIdentity identity;
    private final ChangeBoard changes;

    private SQLiteDatabase(SQLiteDatabaseSettings settings, CachedConnection writerConnection) {
        this.settings = settings;
        this.housekeeping = new Housekeeping(settings);
        this.writer = new GroupCommitWriter(
                writerConnection,
                () -> openWriter(settings, false),
                this::committed,
                CommitCompany.of(settings.synchronous()));
        this.checkpointer = new Checkpointer(
                this::connect, writer::exclusive, settings.file().toString());
        // A read waits for a free connection as long as a write waits for the lock, and a second at least: a busy
        // timeout of 0 means "never wait for another process", not "fail the ninth concurrent read".
        this.readers = new ReaderPool(this::connect, settings.maxReaders(), Math.max(settings.busyTimeoutMs(), 1_000));
        this.identity = FileIdentity.of(settings.file());
        this.changes = ChangeBoard.open(settings.file(), Leftovers.graceMs(settings.busyTimeoutMs()));
    }

    /**
     * Opens the file, or joins the instance already open on it, and readies {@code table} for the use.
     *
     * @param joinAnySettings whether to join an open instance whatever its settings (tools inside a running server
     *     take the server's); otherwise every user of one file must ask for the same settings
     * @throws SessionDatabaseException naming the file and the cause when it cannot be used, or when it is already
     *     open with other settings
     */
    public static SharedDatabases.Lease<SQLiteDatabase> acquire(
            SQLiteDatabaseSettings settings, SessionTable table, TableUse use, boolean joinAnySettings)
            throws SessionDatabaseException {
        return OPEN.acquire(
                settings.file(),
                file -> open(settings),
                open -> {
                    if (!joinAnySettings && !open.settings.equals(settings)) {
                        throw new SessionDatabaseException(
                                "Session database " + settings.file() + " is already open with "
                                        + open.settings.describe() + "; every store on one file must use the same"
                                        + " settings, but this one asks for " + settings.describe(),
                                null);
                    }
                },
                SessionSchema.of(table),
                use);
    }

    /** Whether a database is open for that real file in this JVM. */
    public static boolean isOpen(Path file) {
        return OPEN.isOpen(SQLiteDatabaseSettings.canonical(file));
    }

    private static SQLiteDatabase open(SQLiteDatabaseSettings settings) throws SessionDatabaseException {
        SQLiteConnections.checkLocation(settings.file());
        CachedConnection writer = null;
        try {
            writer = openWriter(settings, true);
            Housekeeping.enableIncrementalVacuumIfNew(writer);
            String mode = switchToWal(settings, writer);
            if (!"wal".equalsIgnoreCase(mode)) {
                throw new SessionDatabaseException(
                        "Session database " + settings.file() + " cannot use write-ahead logging (journal mode is "
                                + mode + "); it must be on a local file system",
                        null);
            }
            SQLiteDatabase database = new SQLiteDatabase(settings, writer);
            database.writer.exclusive(database.housekeeping::optimize);
            if (settings.checkpoints() == Checkpoints.STORE) {
                database.checkpointer.start();
            } else {
                LOG.info(
                        "Checkpoints of {} are left to another process (checkpoints=external): its write-ahead log"
                                + " grows until that process checkpoints it",
                        settings.file());
            }
            return database;
        } catch (SQLException | RuntimeException e) {
            if (writer != null) {
                try {
                    writer.close();
                } catch (SQLException ignored) {
                    // the original failure is the one worth reporting
                }
            }
            throw SQLiteErrors.describe(settings, e);
        }
    }

    /**
     * Puts the file in WAL mode (a file already in it answers at once). On a new file, another process may hold it
     * for its own first write at that moment (two nodes starting together on one file): SQLite then refuses the switch
     * at once, without waiting in its busy handler, and the node would fail to start. So a refusal that came sooner
     * than the busy timeout is tried again after a short pause, until the busy timeout has passed.
     */
    private static String switchToWal(SQLiteDatabaseSettings settings, CachedConnection writer) throws SQLException {
        long start = System.nanoTime();
        long timeoutNanos = TimeUnit.MILLISECONDS.toNanos(settings.busyTimeoutMs());
        long pauseNanos = TimeUnit.MILLISECONDS.toNanos(1);
        while (true) {
            try {
                return SQLiteConnections.queryString(writer, "PRAGMA journal_mode = WAL");
            } catch (SQLException e) {
                if (!SQLiteErrors.isLockWait(e) || System.nanoTime() - start >= timeoutNanos) {
                    throw e;
                }
                LockSupport.parkNanos(pauseNanos);
                pauseNanos = Math.min(TimeUnit.MILLISECONDS.toNanos(50), pauseNanos * 2);
            }
        }
    }

    /**
     * The write connection: it never checkpoints inside a commit (the {@link Checkpointer} does that on a thread of
     * its own, or, with {@link Checkpoints#EXTERNAL}, another process), and a log the checkpointer restarted is cut
     * back to its limit.
     */
    private static CachedConnection openWriter(SQLiteDatabaseSettings settings, boolean first) throws SQLException {
        CachedConnection c = first ? SQLiteConnections.openCreating(settings) : SQLiteConnections.open(settings);
        try (Statement s = c.connection().createStatement()) {
            s.executeUpdate("PRAGMA wal_autocheckpoint = 0");
            s.executeUpdate("PRAGMA journal_size_limit = " + Checkpointer.LOG_SIZE_LIMIT_BYTES);
        } catch (SQLException | RuntimeException e) {
            c.close();
            throw e;
        }
        return c;
    }

    private void committed(CachedConnection c, long transactions) {
        checkpointer.committed(transactions);
        housekeeping.afterCommit(c, transactions);
    }

    @Override
    public SQLiteDatabaseSettings settings() {
        return settings;
    }

    /** Runs the work in a write transaction, possibly shared with concurrent writers (group commit). */
    @Override
    public <R> R write(SqlWork<R> work) throws SessionDatabaseException {
        identity.requireUnchanged();
        try {
            return writer.write(work);
        } catch (SQLException | RuntimeException e) {
            throw SQLiteErrors.describe(settings, e);
        }
    }

    /** A single statement: committed with others under concurrency, on its own (no BEGIN, no COMMIT) when alone. */
    @Override
    public <R> R writeStatement(SqlWork<R> work) throws SessionDatabaseException {
        identity.requireUnchanged();
        try {
            return writer.writeStatement(work);
        } catch (SQLException | RuntimeException e) {
            throw SQLiteErrors.describe(settings, e);
        }
    }

    @Override
    public ChangeSignals signals() {
        return changes;
    }

    /** Runs the work on a read connection; it sees every transaction committed before it started. */
    @Override
    public <R> R read(SqlWork<R> work) throws SessionDatabaseException {
        try {
            return readers.read(work);
        } catch (SQLException | RuntimeException e) {
            throw SQLiteErrors.describe(settings, e);
        }
    }

    /** Closes every connection, after a last {@code optimize}; transactions have all ended by now. */
    @Override
    public void close() {
        checkpointer.stop();
        readers.close();
        try {
            writer.exclusive(housekeeping::optimize);
        } catch (SQLException | RuntimeException e) {
            LOG.debug("Closing {}: the writer was already unusable", settings.file(), e);
        }
        try {
            writer.close();
        } catch (SQLException ignored) {
            // every transaction has committed or rolled back by now; a failing close loses nothing
        }
        changes.close();
    }

    /** Checkpoints that restarted the WAL because it outgrew its bound. */
    public long forcedCheckpoints() {
        return checkpointer.restarts();
    }

    /**
     * Whether the checkpointer has dealt with every write so far (see {@link Checkpointer#caughtUp(long)}), for tests.
     * The count is the writer's, taken holding it: a caller's write returns before the writer tells the checkpointer.
     */
    public boolean checkpointsCaughtUp() {
        return checkpointer.caughtUp(writer.counts().transactions());
    }

    /** Why the path no longer names the file opened (deleted, replaced), or null while it does. */
    public String fileLost() {
        return identity.lost();
    }

    /**
     * Returns the pages that deletes freed to the file system, when the file was created for that: a bounded
     * number per write transaction, so that requests waiting to write get the lock in between, however many pages a
     * mass purge freed.
     */
    @Override
    public void releaseFreePages() throws SessionDatabaseException {
        boolean more;
        do {
            more = write(housekeeping::incrementalVacuumStep);
        } while (more);
    }

    /**
     * After Jetty's sweep of expired sessions: hands the freed pages back only when more than
     * {@value #FREE_PAGES_KEPT_FOR_REUSE} are free. The few pages an ordinary sweep frees are taken again by the
     * next new sessions, so returning them would cost a write transaction now and grow the file again soon after;
     * a mass expiry still gives its space back.
     */
    public void releaseFreePagesAfterSweep() throws SessionDatabaseException {
        long free = read(c -> Long.parseLong(SQLiteConnections.queryString(c, "PRAGMA freelist_count")));
        if (free > FREE_PAGES_KEPT_FOR_REUSE) {
            releaseFreePages();
        }
    }

    @Override
    public void vacuum() throws SessionDatabaseException {
        try {
            writer.exclusive(c -> {
                // VACUUM refuses to run while any statement of its connection is mid-way, and sqlite-jdbc
                // leaves some cached ones so; they are closed and prepared again on their next use.
                c.forgetStatements();
                try (Statement vacuum = c.connection().createStatement()) {
                    vacuum.executeUpdate("VACUUM");
                }
                return null;
            });
            // VACUUM writes the whole database through the log, outside any commit the checkpointer counts.
            checkpointer.wroteOutsideCommits();
        } catch (SQLException e) {
            throw SQLiteErrors.describe(settings, e);
        }
    }

    @Override
    public List<String> integrityCheck() throws SessionDatabaseException {
        return read(c -> Housekeeping.integrityCheck(c.connection()));
    }

    @Override
    public void backup(Path target, boolean overwrite, ProgressListener progress) throws SessionDatabaseException {
        SQLiteBackup.copy(settings, target, overwrite, progress);
    }

    GroupCommitWriter writer() {
        return writer;
    }

    ReaderPool readers() {
        return readers;
    }

    private CachedConnection connect() throws SQLException {
        return SQLiteConnections.open(settings);
    }
}
