package io.github.jettysqlite.sessions.admin;

import io.github.jettysqlite.sessions.SessionDatabaseException;
import io.github.jettysqlite.sessions.internal.FileMaintenance;
import io.github.jettysqlite.sessions.internal.JulianDay;
import io.github.jettysqlite.sessions.internal.SessionDatabase;
import io.github.jettysqlite.sessions.internal.SqlWork;
import io.github.jettysqlite.sessions.internal.table.SessionSchema;
import io.github.jettysqlite.sessions.internal.table.SessionTable;
import java.nio.file.Path;
import java.util.List;

/**
 * The session table an admin works on, in its database: what the table holds as a whole (layout version, statistics,
 * counts, pages of sessions, one session by its key), and the reads and writes a migration makes on either side.
 * A write here may touch rows of any context, so it is announced as a change of all sessions.
 */
record AdminTable(SessionDatabase database, SessionTable sessionTable, AdminQueries queries) {
    /**
     * See {@link AdminQueries#AdminQueries} for what {@code hasPrincipal} says. A tool's counts, pages and purges run
     * as {@link SessionDatabase#lengthy} work: over a large table they may rightly take longer than a request may.
     */
    static AdminTable of(SessionDatabase database, SessionTable sessionTable, boolean hasPrincipal) {
        return new AdminTable(database.unhurried(), sessionTable, new AdminQueries(sessionTable, hasPrincipal));
    }

    /** See {@link SessionDatabaseAdmin#file}. */
    Path file() {
        return database instanceof FileMaintenance file ? file.file() : null;
    }

    /** See {@link SessionDatabaseAdmin#schemaVersion}. */
    int schemaVersion() throws SessionDatabaseException {
        SessionSchema schema = SessionSchema.of(sessionTable);
        return database.read(schema::version);
    }

    /** See {@link SessionDatabaseAdmin#stats}. */
    Stats stats() throws SessionDatabaseException {
        long now = System.currentTimeMillis();
        List<ContextStats> contexts = database.read(c -> queries.statsByScope(c, JulianDay.fromEpochMillis(now)));
        FileMaintenance file = database instanceof FileMaintenance f ? f : null;
        return new Stats(
                file(),
                sessionTable.name(),
                schemaVersion(),
                file == null ? "none (PostgreSQL)" : file.journalMode(),
                contexts.stream().mapToLong(ContextStats::sessions).sum(),
                contexts.stream().mapToLong(ContextStats::expired).sum(),
                contexts.stream().mapToLong(ContextStats::immortal).sum(),
                file == null ? -1 : file.fileBytes(),
                file == null ? -1 : file.walBytes(),
                contexts);
    }

    /** See {@link SessionDatabaseAdmin#countAll}. */
    long countAll() throws SessionDatabaseException {
        return database.read(queries::count);
    }

    /** See {@link SessionDatabaseAdmin#countInContext}. */
    long countInContext(String contextPath, String virtualHost) throws SessionDatabaseException {
        return database.read(c -> queries.countInScope(c, contextPath, virtualHost));
    }

    /** See {@link SessionDatabaseAdmin#countExpired}. */
    long countExpired() throws SessionDatabaseException {
        double now = JulianDay.fromEpochMillis(System.currentTimeMillis());
        return database.read(c -> queries.countExpired(c, now));
    }

    /** See {@link SessionDatabaseAdmin#list}. */
    List<SessionSummary> list(String contextPath, Boolean expired, int offset, int limit)
            throws SessionDatabaseException {
        double now = JulianDay.fromEpochMillis(System.currentTimeMillis());
        return database.read(c -> queries.list(c, contextPath, expired, now, offset, limit));
    }

    /** See {@link SessionDatabaseAdmin#session}. */
    SessionSummary session(String contextPath, String virtualHost, String id) throws SessionDatabaseException {
        return database.read(c -> queries.findInScope(c, contextPath, virtualHost, id));
    }

    /** A sealing pass over the table (see {@link SessionDatabaseAdmin#seal}). */
    RowSealing sealing() {
        return new RowSealing(database, sessionTable);
    }

    <R> R read(SqlWork<R> work) throws SessionDatabaseException {
        return database.read(work);
    }

    <R> R write(SqlWork<R> work) throws SessionDatabaseException {
        return database.changingAll(() -> database.write(work));
    }
}
