package io.github.jettysqlite.sessions;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.eclipse.jetty.session.SessionData;

/**
 * Inspects and maintains a session database while Jetty keeps using it: statistics, listing, purging, backup,
 * vacuum and integrity checks. The command-line tool and the store's JMX operations are thin layers over this.
 *
 * <p>Writes go through the same group-committing writer as the store (in another process, through SQLite's
 * locking), and deletes run in small batches, so requests never wait long behind an administrative task.
 */
public final class SessionDatabaseAdmin implements AutoCloseable {
    /** Rows per transaction for purges and bulk deletes. */
    static final int BATCH = SQLiteSessionDataStore.EXPIRED_DELETE_BATCH;

    /** Sessions of one context and virtual host. Times are epoch milliseconds. */
    public record ContextStats(
            String contextPath,
            String virtualHost,
            long sessions,
            long expired,
            long immortal,
            long oldestCreated,
            long newestCreated) {}

    /** Everything about the database an operator asks first. Sizes are bytes; the WAL is 0 when absent. */
    public record Stats(
            Path file,
            String table,
            int schemaVersion,
            String journalMode,
            long sessions,
            long expired,
            long immortal,
            long fileBytes,
            long walBytes,
            List<ContextStats> contexts) {}

    /** One session's metadata; {@code expiry} is 0 for a session that never expires. */
    public record SessionSummary(
            String id,
            String contextPath,
            String virtualHost,
            String lastNode,
            long created,
            long accessed,
            long expiry,
            long attributeBytes) {
        public boolean isExpiredAt(long time) {
            return expiry > 0 && expiry <= time;
        }
    }

    /** A session's full stored row, its attributes still serialized. */
    public record SessionDetail(
            SessionSummary summary,
            long lastAccessed,
            long cookieSet,
            long lastSaved,
            long maxInactiveMs,
            byte[] attributes) {}

    /**
     * What a migration did.
     *
     * @param live the unexpired sessions read from the source
     * @param copied the sessions written to the target: new there, or saved in the source since the last copy
     * @param unchanged the sessions the target already held in this very save
     * @param keptNewer the sessions the target already held in a later save, left as they were
     * @param deletedOnTarget the sessions an earlier run copied and the target has deleted since (a logout, an
     *     expiry), left deleted
     */
    public record MigrationResult(long live, long copied, long unchanged, long keptNewer, long deletedOnTarget) {}

    /** Told how far a long task has come. */
    @FunctionalInterface
    public interface Progress {
        Progress NONE = (done, total) -> {};

        void update(long done, long total);
    }

    private final SessionDatabase database;
    private final SessionTable table;
    private final boolean ownsDatabase;
    private boolean closed;

    private SessionDatabaseAdmin(SessionDatabase database, SessionTable table, boolean ownsDatabase) {
        this.database = database;
        this.table = table;
        this.ownsDatabase = ownsDatabase;
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
        DatabaseLocation location = parse(fileOrUrl);
        if (location instanceof DatabaseLocation.SQLiteFile sqlite) {
            SessionTable table = table(tableName, SqlDialect.SQLITE);
            return new SessionDatabaseAdmin(
                    ReadOnlySQLiteDatabase.open(toolSettings(sqlite.file()), table), table, true);
        }
        return onPostgres(
                ((DatabaseLocation.PostgreSQLUrl) location).url(), user, password, tableName, TableUse.INSPECT);
    }

    /**
     * Opens an existing session database to maintain it: everything {@link #inspect} allows, plus purging,
     * deleting and vacuuming. The table must already be at this library's layout version; a tool never upgrades a
     * schema behind an operator's back (a server does, as does {@link #connect}).
     *
     * @throws SessionDatabaseException when the database is missing or unreachable, holds no such table, or holds it
     *     in an older or newer layout
     */
    public static SessionDatabaseAdmin open(String fileOrUrl, String user, String password, String tableName)
            throws SessionDatabaseException {
        DatabaseLocation location = parse(fileOrUrl);
        if (location instanceof DatabaseLocation.SQLiteFile sqlite) {
            DatabaseSettings settings = toolSettings(sqlite.file());
            if (!Files.isRegularFile(settings.file())) {
                throw new SessionDatabaseException("Session database " + settings.file() + " does not exist", null);
            }
            SessionTable table = table(tableName, SqlDialect.SQLITE);
            // Reading first proves the file is SQLite and holds the table at this layout, before anything opens it
            // for writing (which would switch its journal mode).
            ReadOnlySQLiteDatabase look = ReadOnlySQLiteDatabase.open(settings, table);
            try {
                look.read(c -> {
                    table.requireCurrent(c);
                    return null;
                });
            } finally {
                look.release();
            }
            return new SessionDatabaseAdmin(
                    SQLiteDatabase.acquire(settings, table, true, TableUse.MAINTAIN), table, true);
        }
        return onPostgres(
                ((DatabaseLocation.PostgreSQLUrl) location).url(), user, password, tableName, TableUse.MAINTAIN);
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
    public static SessionDatabaseAdmin connect(String fileOrUrl, String user, String password, String tableName)
            throws SessionDatabaseException {
        DatabaseLocation location = parse(fileOrUrl);
        if (location instanceof DatabaseLocation.SQLiteFile sqlite) {
            SessionTable table = table(tableName, SqlDialect.SQLITE);
            return new SessionDatabaseAdmin(
                    SQLiteDatabase.acquire(toolSettings(sqlite.file()), table, true, TableUse.SERVE), table, true);
        }
        return onPostgres(((DatabaseLocation.PostgreSQLUrl) location).url(), user, password, tableName, TableUse.SERVE);
    }

    private static SessionDatabaseAdmin onPostgres(
            String url, String user, String password, String tableName, TableUse use) throws SessionDatabaseException {
        SessionTable table = table(tableName, SqlDialect.POSTGRESQL);
        PostgresSettings settings;
        try {
            settings = new PostgresSettings(url, user, password, 2, 3_000, null);
        } catch (IllegalArgumentException e) {
            throw new SessionDatabaseException(e.getMessage(), e);
        }
        return new SessionDatabaseAdmin(PostgresDatabase.acquire(settings, table, true, use), table, true);
    }

    private static DatabaseLocation parse(String fileOrUrl) throws SessionDatabaseException {
        try {
            return DatabaseLocation.parse(fileOrUrl);
        } catch (IllegalArgumentException e) {
            throw new SessionDatabaseException(e.getMessage(), e);
        }
    }

    private static SessionTable table(String tableName, SqlDialect dialect) throws SessionDatabaseException {
        try {
            return new SessionTable(tableName, dialect);
        } catch (IllegalArgumentException e) {
            throw new SessionDatabaseException(e.getMessage(), e);
        }
    }

    /** A tool is one more connection beside a running server: it waits as long, and needs few readers. */
    private static DatabaseSettings toolSettings(Path file) {
        return new DatabaseSettings(file, Synchronous.NORMAL, 5_000, 2);
    }

    /** Administers the database a running store uses, sharing its connections. */
    static SessionDatabaseAdmin of(SessionDatabase database, SessionTable table) {
        return new SessionDatabaseAdmin(database, table, false);
    }

    /** The SQLite file administered, or null on PostgreSQL. */
    public Path file() {
        return database.dialect() == SqlDialect.SQLITE ? Path.of(database.location()) : null;
    }

    /** The file, or the PostgreSQL server's URL without its query string. */
    public String location() {
        return database.location();
    }

    public String table() {
        return table.name();
    }

    public Stats stats() throws SessionDatabaseException {
        long now = System.currentTimeMillis();
        List<ContextStats> contexts = database.read(c -> table.statsByScope(c, JulianDay.fromEpochMillis(now)));
        return new Stats(
                file(),
                table.name(),
                schemaVersion(),
                database.journalMode(),
                contexts.stream().mapToLong(ContextStats::sessions).sum(),
                contexts.stream().mapToLong(ContextStats::expired).sum(),
                contexts.stream().mapToLong(ContextStats::immortal).sum(),
                database.fileBytes(),
                database.walBytes(),
                contexts);
    }

    /**
     * A page of sessions in (context, virtual host, id) order.
     *
     * @param contextPath Jetty's canonical context path (e.g. {@code _shop} for {@code /shop}), or null for all
     * @param expired true for expired sessions only, false for unexpired only, null for both
     */
    public List<SessionSummary> list(String contextPath, Boolean expired, int offset, int limit)
            throws SessionDatabaseException {
        double now = JulianDay.fromEpochMillis(System.currentTimeMillis());
        return database.read(c -> table.list(c, contextPath, expired, now, offset, limit));
    }

    /** The sessions with this id, one per context that holds it. */
    public List<SessionDetail> show(String id) throws SessionDatabaseException {
        return database.read(c -> table.findById(c, id));
    }

    /**
     * Deserializes a session's attributes through the deserialization filter, resolving classes through the given
     * loader (the webapp's classes, for attributes of webapp types), exactly as the store would.
     *
     * @param filterPattern an {@link java.io.ObjectInputFilter} pattern, usually {@link
     *     SQLiteSessionDataStore#DEFAULT_DESERIALIZATION_FILTER}
     * @throws Exception when the attributes cannot be read: a class is missing, the filter rejects one, or the row is
     *     sealed
     */
    public static Map<String, Object> readAttributes(SessionDetail session, ClassLoader loader, String filterPattern)
            throws Exception {
        return readAttributes(session, loader, filterPattern, null);
    }

    /**
     * As {@link #readAttributes(SessionDetail, ClassLoader, String)}, verifying a sealed row's seal first.
     *
     * @param attributeKeys where the keys that may have sealed the row are ({@code env:NAME} or {@code file:PATH},
     *     comma-separated), or null; a sealed row is read only once one of them verifies it
     */
    public static Map<String, Object> readAttributes(
            SessionDetail session, ClassLoader loader, String filterPattern, String attributeKeys) throws Exception {
        SessionSummary s = session.summary();
        SessionData data = new SessionData(
                s.id(),
                s.contextPath(),
                s.virtualHost(),
                s.created(),
                s.accessed(),
                session.lastAccessed(),
                session.maxInactiveMs());
        SessionAttributes attributes = new SessionAttributes(
                new AttributeCodec(AttributeSeal.of(null, attributeKeys), true),
                new AttributeSerializer(DeserializationFilter.create(filterPattern)));
        Thread thread = Thread.currentThread();
        ClassLoader previous = thread.getContextClassLoader();
        thread.setContextClassLoader(loader);
        try {
            attributes.readInto(
                    data,
                    session.attributes(),
                    TrackedSessionData.UNKNOWN_VERSION,
                    new AttributeSeal.SessionKey(s.contextPath(), s.virtualHost(), s.id()));
            return data.getAllAttributes();
        } finally {
            thread.setContextClassLoader(previous);
        }
    }

    /** Sessions of every context that have expired now. */
    public long countExpired() throws SessionDatabaseException {
        double now = JulianDay.fromEpochMillis(System.currentTimeMillis());
        return database.read(c -> table.countExpired(c, now));
    }

    /**
     * Deletes the sessions of every context that expired longer than {@code olderThan} ago, in batches, and returns
     * how many. The margin is Jetty's grace period: with a save period, a session in use may carry a stored expiry
     * in the past until its next save, and a purge must leave it alone, as Jetty's own sweeps do.
     */
    public long purgeExpired(Duration olderThan, Progress progress) throws SessionDatabaseException {
        if (olderThan.isNegative()) {
            throw new IllegalArgumentException("olderThan must not be negative, not " + olderThan);
        }
        double before = JulianDay.fromEpochMillis(System.currentTimeMillis() - olderThan.toMillis());
        long total = database.read(c -> table.countExpired(c, before));
        long deleted = deleteInBatches(total, progress, c -> table.deleteExpiredBatch(c, before, BATCH));
        database.releaseFreePages();
        return deleted;
    }

    /** Deletes every session of every context, in batches; returns how many were deleted. */
    public long deleteAll(Progress progress) throws SessionDatabaseException {
        long total = database.read(table::count);
        long deleted = deleteInBatches(total, progress, c -> table.deleteAllBatch(c, BATCH));
        database.releaseFreePages();
        return deleted;
    }

    private long deleteInBatches(long total, Progress progress, SqlWork<Integer> batch)
            throws SessionDatabaseException {
        long deleted = 0;
        int last;
        progress.update(0, total);
        do {
            last = database.write(batch);
            deleted += last;
            progress.update(deleted, Math.max(total, deleted));
        } while (last == BATCH);
        return deleted;
    }

    /**
     * Copies the live database to {@code target} with SQLite's online backup from one read snapshot, which lets
     * writers go on and finishes however busy they are, then opens the copy and runs an integrity check on it. The
     * copy is moved into place only once it passed.
     *
     * @param overwrite whether an existing file at {@code target} may be replaced
     * @throws SessionDatabaseException when the target exists and may not be replaced, is the database itself (through
     *     any link), or the copy fails or does not pass the check
     */
    public void backup(Path target, boolean overwrite, Progress progress) throws SessionDatabaseException {
        database.backup(target, overwrite, progress);
    }

    /** Rebuilds the file without free pages. Holds the write lock for its whole run; prefer quiet hours. */
    public void vacuum() throws SessionDatabaseException {
        database.vacuum();
    }

    /** SQLite's integrity check: a single "ok" when the file is sound, otherwise each problem found. */
    public List<String> check() throws SessionDatabaseException {
        return database.integrityCheck();
    }

    /**
     * Copies every session that has not expired from this database to {@code target}, {@code batchSize} rows per
     * transaction, attributes byte for byte. Safe to run while servers use either database, and to run again: a
     * session the target holds in the same or a later save (a server there has used it since) is left alone, and a
     * session an earlier run copied that the target has deleted since (a logout there) stays deleted. A ledger on
     * the target ({@value SessionTable#MIGRATION_LEDGER}) records what was copied.
     */
    public MigrationResult copyLiveSessionsTo(SessionDatabaseAdmin target, int batchSize, Progress progress)
            throws SessionDatabaseException {
        if (batchSize < 1) {
            throw new IllegalArgumentException("batchSize must be at least 1, not " + batchSize);
        }
        if (target.database == database && target.table.name().equals(table.name())) {
            throw new SessionDatabaseException("Cannot migrate " + location() + " onto itself", null);
        }
        target.database.write(c -> {
            target.table.ensureLedger(c);
            return null;
        });
        double now = JulianDay.fromEpochMillis(System.currentTimeMillis());
        long live = database.read(c -> table.countLive(c, now));
        long seen = 0;
        long[] outcomes = new long[SessionTable.CopyOutcome.values().length];
        progress.update(0, live);
        SessionRow last = null;
        while (true) {
            SessionRow after = last;
            List<SessionRow> page = database.read(c -> after == null
                    ? table.liveRowsAfter(c, "", "", "", now, batchSize)
                    : table.liveRowsAfter(c, after.contextPath(), after.virtualHost(), after.id(), now, batchSize));
            if (page.isEmpty()) {
                break;
            }
            long[] pageOutcomes = target.database.write(c -> {
                long[] counted = new long[outcomes.length];
                for (SessionRow row : page) {
                    counted[target.table.copyIn(c, row).ordinal()]++;
                }
                return counted;
            });
            for (int i = 0; i < outcomes.length; i++) {
                outcomes[i] += pageOutcomes[i];
            }
            seen += page.size();
            last = page.get(page.size() - 1);
            progress.update(seen, Math.max(live, seen));
        }
        return new MigrationResult(
                seen,
                outcomes[SessionTable.CopyOutcome.COPIED.ordinal()],
                outcomes[SessionTable.CopyOutcome.UNCHANGED.ordinal()],
                outcomes[SessionTable.CopyOutcome.KEPT_NEWER.ordinal()],
                outcomes[SessionTable.CopyOutcome.DELETED_HERE.ordinal()]);
    }

    public int schemaVersion() throws SessionDatabaseException {
        return database.read(table::schemaVersion);
    }

    /** Gives back the database this admin opened; closing twice gives it back once. */
    @Override
    public void close() {
        if (ownsDatabase && !closed) {
            closed = true;
            database.release();
        }
    }
}
