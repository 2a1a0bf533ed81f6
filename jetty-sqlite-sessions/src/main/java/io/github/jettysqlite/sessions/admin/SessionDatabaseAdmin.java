package io.github.jettysqlite.sessions.admin;

import io.github.jettysqlite.sessions.SessionDatabaseException;
import io.github.jettysqlite.sessions.internal.SessionDatabase;
import io.github.jettysqlite.sessions.internal.TableUse;
import io.github.jettysqlite.sessions.internal.engine.SharedDatabases;
import io.github.jettysqlite.sessions.internal.table.SessionStatements;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * Inspects and maintains a session database while Jetty keeps using it: statistics, listing, purging, backup,
 * vacuum, integrity checks and migration. The command-line tool and the stores' JMX operations are thin layers over
 * this. It sits beside the stores, on the same table statements and database connections.
 *
 * <p>Writes go through the database's own writer (group commit on SQLite; in another process, through SQLite's
 * locking), and deletes run in small batches, so requests never wait long behind an administrative task.
 */
public final class SessionDatabaseAdmin implements AutoCloseable {
    private final SharedDatabases.Lease<? extends SessionDatabase> lease;
    private final AdminTable table;
    private final BatchedDeletes deletes;
    private final FileTasks files;
    private final SessionsById byId;
    private final PrincipalRows users;

    /** Opened by {@link AdminOpening}, or handed to a running store (see {@link AdminOpening#handToStores}). */
    SessionDatabaseAdmin(AdminTable table, SharedDatabases.Lease<? extends SessionDatabase> lease) {
        this.lease = lease;
        this.table = table;
        this.deletes = new BatchedDeletes(
                table.database(), table.queries(), new SessionStatements(table.sessionTable()).expiry());
        this.files = new FileTasks(table.database());
        this.byId = new SessionsById(table.database(), table.queries());
        this.users = new PrincipalRows(table.database(), table.queries());
    }

    /**
     * Opens an existing session database to look at it: statistics, listing, showing, checking, backing up. Opening
     * changes nothing (on SQLite it is a read-only connection): no table is created, no journal mode set, no schema
     * upgraded, and writes through it are refused.
     *
     * @param fileOrUrl an SQLite file, or a {@code jdbc:sqlite:} or {@code jdbc:postgresql:} URL
     * @param user on PostgreSQL, the user unless the URL names one; otherwise null
     * @param password on PostgreSQL, the password unless the URL holds one; otherwise null. Never shown in messages
     * @throws SessionDatabaseException when the database is missing or unreachable, or holds no such session table
     */
    public static SessionDatabaseAdmin inspect(String fileOrUrl, String user, String password, String tableName)
            throws SessionDatabaseException {
        return AdminOpening.open(fileOrUrl, user, password, tableName, TableUse.INSPECT);
    }

    /**
     * Opens an existing session database to maintain it: everything {@link #inspect} allows, plus purging,
     * deleting and vacuuming. The table must already be at this library's layout version; a tool never upgrades a
     * schema behind an operator's back (a server does, as does {@link #openCreatingTable}).
     *
     * @throws SessionDatabaseException when the database is missing or unreachable, holds no such table, or holds it
     *     in an older or newer layout
     */
    public static SessionDatabaseAdmin open(String fileOrUrl, String user, String password, String tableName)
            throws SessionDatabaseException {
        return AdminOpening.open(fileOrUrl, user, password, tableName, TableUse.MAINTAIN);
    }

    /** As {@link #open(String, String, String, String)}, for an SQLite file. */
    public static SessionDatabaseAdmin open(Path file, String tableName) throws SessionDatabaseException {
        return open(file.toString(), null, null, tableName);
    }

    /**
     * Connects to the session table on a PostgreSQL server or in an SQLite file, creating the table if it is missing
     * and upgrading an older layout, as a migration target (or the command line's {@code upgrade-schema}) needs.
     *
     * @param user the user, or null to take it from the URL
     * @param password the password, or null to take it from the URL
     * @throws SessionDatabaseException when the server cannot be reached or refuses the table
     */
    public static SessionDatabaseAdmin openCreatingTable(
            String fileOrUrl, String user, String password, String tableName) throws SessionDatabaseException {
        return AdminOpening.open(fileOrUrl, user, password, tableName, TableUse.SERVE);
    }

    // In the initializer: a store asking for its admin initializes this class, and nothing else, to get it.
    static {
        AdminOpening.handToStores();
    }

    /** The SQLite file administered, or null on PostgreSQL. */
    public Path file() {
        return table.file();
    }

    /** The file, or the PostgreSQL server's URL without its query string. */
    public String location() {
        return table.database().location();
    }

    public String table() {
        return table.sessionTable().name();
    }

    public int schemaVersion() throws SessionDatabaseException {
        return table.schemaVersion();
    }

    public Stats stats() throws SessionDatabaseException {
        return table.stats();
    }

    /** Sessions of every context. */
    public long countAll() throws SessionDatabaseException {
        return table.countAll();
    }

    /** Sessions of one context and virtual host; walks only that key range. */
    public long countInContext(String contextPath, String virtualHost) throws SessionDatabaseException {
        return table.countInContext(contextPath, virtualHost);
    }

    /** Sessions of every context that have expired now; walks only the expiry index. */
    public long countExpired() throws SessionDatabaseException {
        return table.countExpired();
    }

    /**
     * A page of sessions in (context, virtual host, id) order.
     *
     * @param contextPath Jetty's canonical context path (e.g. {@code _shop} for {@code /shop}), or null for all
     * @param expired true for expired sessions only, false for unexpired only, null for both
     */
    public List<SessionSummary> list(String contextPath, Boolean expired, int offset, int limit)
            throws SessionDatabaseException {
        return table.list(contextPath, expired, offset, limit);
    }

    /** The sessions with this id (as the table holds it: a protected id's hash), one per context that holds it. */
    public List<SessionDetail> show(String id) throws SessionDatabaseException {
        return byId.show(id, null);
    }

    /**
     * As {@link #show(String)}, for a session id as the browser holds it: with the keys ({@code env:}/{@code file:},
     * comma-separated), a table with protected ids is searched under the id's hash under each key, then the plain id.
     */
    public List<SessionDetail> show(String id, String attributeKeys) throws SessionDatabaseException {
        return byId.show(id, attributeKeys);
    }

    /**
     * The unexpired sessions of every context logged in as {@code principal}, most recently used first; found through
     * the principal's index.
     */
    public List<SessionSummary> sessionsOf(String principal) throws SessionDatabaseException {
        return users.sessionsOf(principal);
    }

    /** Rows of every context logged in as {@code principal}, expired ones too: what {@link #deleteSessionsOf} removes. */
    public long countSessionsOf(String principal) throws SessionDatabaseException {
        return users.countSessionsOf(principal);
    }

    /**
     * Deletes every session of every context logged in as {@code principal} (expired ones too), except {@code keep} (null: none), in one
     * transaction; returns how many. The rows go at once: a node whose cache checks the row (the coherent cache)
     * finds the session gone at its next request; Jetty's own caches may go on serving a copy they hold. From inside
     * a server, {@code SessionTableDataStore.endSessionsOf} ends them through the session manager instead, so that
     * session listeners run.
     */
    public int deleteSessionsOf(String principal, SessionSummary keep) throws SessionDatabaseException {
        return users.deleteSessionsOf(principal, keep);
    }

    /**
     * The users logged in to unexpired sessions, each once, in name order: of one context, or of every context when
     * {@code contextPath} is null. Read from the principal's index.
     *
     * @param contextPath Jetty's canonical context path (e.g. {@code _shop} for {@code /shop}), or null for all
     * @param virtualHost the context's virtual host ({@code 0.0.0.0} for none); ignored when contextPath is null
     */
    public List<String> principals(String contextPath, String virtualHost) throws SessionDatabaseException {
        return users.principals(contextPath, virtualHost);
    }

    /**
     * The session with this id in one context, expired or not, or null when there is none; a lookup by the table's
     * primary key.
     */
    public SessionSummary session(String contextPath, String virtualHost, String id) throws SessionDatabaseException {
        return table.session(contextPath, virtualHost, id);
    }

    /** Deletes the session with this id in every context that holds it; returns how many rows. */
    public int deleteSession(String id) throws SessionDatabaseException {
        return byId.delete(id, null);
    }

    /**
     * As {@link #deleteSession(String)}, for a session id as the browser holds it: with the keys ({@code env:}/{@code
     * file:}, comma-separated), rows under the id's hash under each key are deleted too.
     */
    public int deleteSession(String id, String attributeKeys) throws SessionDatabaseException {
        return byId.delete(id, attributeKeys);
    }

    /**
     * Deletes the sessions of every context that expired longer than {@code olderThan} ago, in batches, and returns
     * how many. The margin is Jetty's grace period: with a save period, a session in use may carry a stored expiry
     * in the past until its next save, and a purge must leave it alone, as Jetty's own sweeps do.
     */
    public long purgeExpired(Duration olderThan, Progress progress) throws SessionDatabaseException {
        return deletes.purgeExpired(olderThan, progress);
    }

    /**
     * Seals every row under {@code attributeKey}, in place, a page at a time, while servers keep running: rows sealed
     * under one of {@code attributeOldKeys} (finishing a rotation), or before seals covered the table and the
     * creation time; rows never sealed only through the overload that asks for them. Current rows are left alone, so running it again changes
     * nothing; a row a server changed meanwhile is left to that server's write, which sealed it. Rows in Jetty's own
     * stream layout are counted, not changed: they need the webapp's classes, and a server rewrites them on their
     * next store.
     */
    public RowSealing.Outcome seal(String attributeKey, String attributeOldKeys, Progress progress)
            throws SessionDatabaseException {
        return seal(attributeKey, attributeOldKeys, false, false, progress);
    }

    /**
     * As above; with {@code encrypt}, every row is also encrypted (and encrypted rows count as current); with {@code
     * includeUnsealed}, rows without a seal are sealed too (switching sealing on for a table whose rows are all the
     * servers' own), where otherwise they are left as they are and counted unverifiable.
     */
    public RowSealing.Outcome seal(
            String attributeKey, String attributeOldKeys, boolean encrypt, boolean includeUnsealed, Progress progress)
            throws SessionDatabaseException {
        return seal(attributeKey, attributeOldKeys, encrypt, includeUnsealed, true, progress);
    }

    /**
     * As above; with {@code protectIds} (what a store does by default with a key), rows still under a plain id or an
     * old key's hash are moved under the current key's hash, their id sealed beside it.
     */
    public RowSealing.Outcome seal(
            String attributeKey,
            String attributeOldKeys,
            boolean encrypt,
            boolean includeUnsealed,
            boolean protectIds,
            Progress progress)
            throws SessionDatabaseException {
        return table.sealing().seal(attributeKey, attributeOldKeys, encrypt, includeUnsealed, protectIds, progress);
    }

    /** The table's rows by how they are sealed (see {@link RowSealing#states()}); key ids, never keys. */
    public Map<String, Long> sealStates() throws SessionDatabaseException {
        return table.sealing().states();
    }

    /** Deletes every session of every context, in batches; returns how many were deleted. */
    public long deleteAll(Progress progress) throws SessionDatabaseException {
        return deletes.deleteAll(progress);
    }

    /**
     * Copies the live database to {@code target} with SQLite's online backup from one read snapshot, which lets
     * writers go on and finishes however busy they are, then opens the copy and runs an integrity check on it. The
     * copy is moved into place only once it passed.
     *
     * @param overwrite whether an existing file at {@code target} may be replaced
     * @throws SessionDatabaseException when the target exists and may not be replaced, is the database itself (through
     *     any link), or the copy fails or does not pass the check; on PostgreSQL, always (use pg_dump)
     */
    public void backup(Path target, boolean overwrite, Progress progress) throws SessionDatabaseException {
        files.backup(target, overwrite, progress);
    }

    /** Rebuilds the file without free pages. Holds the write lock for its whole run; prefer quiet hours. */
    public void vacuum() throws SessionDatabaseException {
        files.vacuum();
    }

    /** SQLite's integrity check: a single "ok" when the file is sound, otherwise each problem found. */
    public List<String> check() throws SessionDatabaseException {
        return files.check();
    }

    /**
     * Copies every session that has not expired from this database to {@code target}, {@code batchSize} rows per
     * transaction, attributes byte for byte. Safe to run while servers use either database, and to run again: a
     * session the target holds in the same or a later save (a server there has used it since) is left alone, and a
     * session an earlier run copied that the target has deleted since (a logout there) stays deleted. A ledger on
     * the target ({@value MigrationTarget#LEDGER}) records what was copied.
     */
    public MigrationResult copyLiveSessionsTo(SessionDatabaseAdmin target, int batchSize, Progress progress)
            throws SessionDatabaseException {
        return new Migration(table, target.table, batchSize).run(progress);
    }

    /** Gives back the database this admin opened; closing twice gives it back once. */
    @Override
    public void close() {
        if (lease != null) {
            lease.close();
        }
    }
}
