package io.github.jettysqlite.sessions.internal.sqlite;

import io.github.jettysqlite.sessions.internal.CachedConnection;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What keeps a long-running database file healthy without an operator: planner statistics, a bounded WAL, and
 * free pages handed back after mass deletes.
 *
 * <ul>
 *   <li>{@code PRAGMA optimize} when the file opens, hourly while it is written, and when it closes, as SQLite
 *       advises for long-lived connections.
 *   <li>The WAL is kept bounded by the {@link Checkpointer}, off the commit path (or by another process, with
 *       {@code checkpoints=EXTERNAL}).
 *   <li>New files are created with {@code auto_vacuum=INCREMENTAL}, so that after a purge the freed pages can be
 *       returned to the file system without a full {@code VACUUM}.
 * </ul>
 */
final class Housekeeping {
    private static final Logger LOG = LoggerFactory.getLogger(Housekeeping.class);

    /** How many commits apart the writer looks at the clock for the hourly optimize. */
    static final int OPTIMIZE_CHECK_EVERY = 64;

    private static final long OPTIMIZE_EVERY_NANOS = TimeUnit.HOURS.toNanos(1);

    private final Path wal;
    private volatile long lastOptimizeNanos = System.nanoTime();

    Housekeeping(SQLiteDatabaseSettings settings) {
        this.wal = settings.wal();
    }

    /** auto_vacuum can only be chosen before the first table exists, so only an empty file gets it. */
    static void enableIncrementalVacuumIfNew(CachedConnection c) throws SQLException {
        if ("0".equals(SQLiteConnections.queryString(c, "PRAGMA page_count"))) {
            run(c, "PRAGMA auto_vacuum = INCREMENTAL");
        }
    }

    /**
     * Runs {@code PRAGMA optimize} on the writer, outside any transaction of the caller's. It reads statistics and
     * may then write them (ANALYZE); run on its own in autocommit, that upgrade fails with SQLITE_BUSY_SNAPSHOT
     * whenever another process wrote in between, so it takes the write lock first. A failed run is logged and left
     * for the next one; only a rollback that fails too throws, since the connection may then be in a transaction
     * and the writer must replace it.
     */
    Void optimize(CachedConnection c) {
        try {
            run(c, "BEGIN IMMEDIATE");
            try {
                run(c, "PRAGMA optimize = 0x10002");
                run(c, "COMMIT");
            } catch (SQLException e) {
                try {
                    run(c, "ROLLBACK");
                } catch (SQLException rollback) {
                    if (!String.valueOf(rollback.getMessage()).contains("no transaction is active")) {
                        // Left in a transaction, the connection would swallow every later write into it.
                        throw new IllegalStateException("the write connection may still be in a transaction", rollback);
                    }
                }
                throw e;
            }
        } catch (SQLException e) {
            c.forgetStatements();
            LOG.debug("PRAGMA optimize on {} deferred", wal, e);
        }
        lastOptimizeNanos = System.nanoTime();
        return null;
    }

    /** Called by the writer after each commit, holding the write connection. */
    void afterCommit(CachedConnection c, long transactions) {
        if (transactions % OPTIMIZE_CHECK_EVERY == 0 && System.nanoTime() - lastOptimizeNanos > OPTIMIZE_EVERY_NANOS) {
            optimize(c);
        }
    }

    /** Free pages handed back to the file system per write transaction: 4 MiB with the default page size. */
    static final int VACUUM_PAGES_PER_STEP = 1024;

    /**
     * Hands at most {@value #VACUUM_PAGES_PER_STEP} free pages back to the file system; does nothing for files
     * created without incremental vacuum.
     *
     * @return true when free pages remain for another step
     */
    Boolean incrementalVacuumStep(CachedConnection c) throws SQLException {
        if (!"2".equals(SQLiteConnections.queryString(c, "PRAGMA auto_vacuum"))) {
            return false;
        }
        run(c, "PRAGMA incremental_vacuum(" + VACUUM_PAGES_PER_STEP + ")");
        return !"0".equals(SQLiteConnections.queryString(c, "PRAGMA freelist_count"));
    }

    static List<String> integrityCheck(Connection c) throws SQLException {
        List<String> lines = new ArrayList<>();
        try (Statement s = c.createStatement();
                ResultSet r = s.executeQuery("PRAGMA integrity_check")) {
            while (r.next()) {
                lines.add(r.getString(1));
            }
        }
        return lines;
    }

    /**
     * Runs a pragma that answers no rows to completion. {@code executeUpdate} steps until SQLite is done, where
     * {@code execute} steps once, and {@code incremental_vacuum} frees one page per step.
     */
    private static void run(CachedConnection c, String sql) throws SQLException {
        try (Statement s = c.connection().createStatement()) {
            s.executeUpdate(sql);
        }
    }
}
