package io.github.jettysqlite.sessions.admin;

import io.github.jettysqlite.sessions.SessionDatabaseException;
import io.github.jettysqlite.sessions.internal.FileMaintenance;
import io.github.jettysqlite.sessions.internal.JulianDay;
import io.github.jettysqlite.sessions.internal.SessionDatabase;
import io.github.jettysqlite.sessions.internal.SqlWork;
import io.github.jettysqlite.sessions.internal.table.ExpiryStatements;
import java.time.Duration;

/**
 * The admin's mass deletes (a purge of expired sessions, the deletion of all): a batch of rows per write
 * transaction, so that requests waiting to write get the lock in between, then the freed pages handed back to the
 * file system where the engine keeps a file.
 */
record BatchedDeletes(SessionDatabase database, AdminQueries queries, ExpiryStatements expiry) {
    /** Rows per transaction. */
    static final int BATCH = ExpiryStatements.DELETE_BATCH;

    /** See {@link SessionDatabaseAdmin#purgeExpired}. */
    long purgeExpired(Duration olderThan, Progress progress) throws SessionDatabaseException {
        if (olderThan.isNegative()) {
            throw new IllegalArgumentException("olderThan must not be negative, not " + olderThan);
        }
        double before = JulianDay.fromEpochMillis(System.currentTimeMillis() - olderThan.toMillis());
        long total = database.read(c -> queries.countExpired(c, before));
        return deleteInBatches(total, progress, c -> expiry.deleteExpiredBatch(c, before, BATCH));
    }

    /** See {@link SessionDatabaseAdmin#deleteAll}. */
    long deleteAll(Progress progress) throws SessionDatabaseException {
        long total = database.read(queries::count);
        return deleteInBatches(total, progress, c -> queries.deleteAllBatch(c, BATCH));
    }

    /**
     * Runs {@code batch} until it deletes less than a full batch. {@code total}, counted first, is only for the
     * progress shown: rows added or expiring meanwhile are deleted too, and the total grows to match.
     */
    private long deleteInBatches(long total, Progress progress, SqlWork<Integer> batch)
            throws SessionDatabaseException {
        long deleted = 0;
        int last;
        progress.update(0, total);
        do {
            last = database.changingAll(() -> database.write(batch));
            deleted += last;
            progress.update(deleted, Math.max(total, deleted));
        } while (last == BATCH);
        releaseFreePages();
        return deleted;
    }

    private void releaseFreePages() throws SessionDatabaseException {
        if (database instanceof FileMaintenance file) {
            file.releaseFreePages();
        }
    }
}
