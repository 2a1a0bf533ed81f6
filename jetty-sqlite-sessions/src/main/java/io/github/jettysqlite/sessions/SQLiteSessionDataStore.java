package io.github.jettysqlite.sessions;

import java.io.IOException;
import java.io.ObjectInputFilter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.Objects;
import java.util.Set;
import org.eclipse.jetty.session.ObjectStreamSessionDataStore;
import org.eclipse.jetty.session.SessionData;
import org.eclipse.jetty.session.UnreadableSessionDataException;
import org.eclipse.jetty.session.UnwriteableSessionDataException;
import org.eclipse.jetty.util.annotation.ManagedAttribute;
import org.eclipse.jetty.util.annotation.ManagedObject;
import org.eclipse.jetty.util.annotation.ManagedOperation;
import org.eclipse.jetty.util.annotation.Name;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A Jetty {@code SessionDataStore} that keeps the sessions of one context in an SQLite table, which the sessions
 * of other contexts and virtual hosts may share. Given a PostgreSQL {@link #setUrl URL} or {@link #setDataSource
 * DataSource} instead of a file, it keeps the same table on that server, for servers on several machines.
 *
 * <p>This class only translates Jetty's contract into calls on the {@link SessionTable}; the base class keeps the
 * lifecycle, the context class loader, the save-period rule and the scavenging cadence. Attributes are serialized
 * through Jetty's {@code serializeAttributes}/{@code deserializeAttributes}, so webapp classes resolve through the
 * webapp's class loader.
 *
 * <p>Usually built by {@link SQLiteSessionDataStoreFactory}; settings can be changed only while stopped.
 */
@ManagedObject("Keeps session data in an SQLite table")
public class SQLiteSessionDataStore extends ObjectStreamSessionDataStore {
    private static final Logger LOG = LoggerFactory.getLogger(SQLiteSessionDataStore.class);

    public static final String DEFAULT_DATABASE_FILE = "sessions.db";
    public static final String DEFAULT_TABLE_NAME = SessionTable.DEFAULT_NAME;
    public static final String DEFAULT_SYNCHRONOUS = "NORMAL";
    public static final int DEFAULT_BUSY_TIMEOUT_MS = 5_000;
    public static final int DEFAULT_MAX_READERS = 8;
    public static final int DEFAULT_POOL_SIZE = 10;
    /** The default attribute deserialization filter; see {@link #setDeserializationFilter(String)}. */
    public static final String DEFAULT_DESERIALIZATION_FILTER = DeserializationFilter.DEFAULT_PATTERN;

    /** Expired rows deleted per write transaction, so a mass expiry never holds the write lock for long. */
    static final int EXPIRED_DELETE_BATCH = 500;

    private Path databaseFile = Path.of(DEFAULT_DATABASE_FILE);
    private String tableName = DEFAULT_TABLE_NAME;
    private String synchronous = DEFAULT_SYNCHRONOUS;
    private int busyTimeoutMs = DEFAULT_BUSY_TIMEOUT_MS;
    private int maxReaders = DEFAULT_MAX_READERS;
    private String url;
    private String user;
    private String password;
    private javax.sql.DataSource dataSource;
    private int poolSize = DEFAULT_POOL_SIZE;
    private String deserializationFilter = DEFAULT_DESERIALIZATION_FILTER;
    private String attributeKey;
    private String attributeOldKeys;
    private boolean acceptUnsealedRows = true;
    private boolean saveInPlaceChanges = true;

    private final OperationStats loads = new OperationStats();
    private final OperationStats stores = new OperationStats();
    private final OperationStats deletes = new OperationStats();
    private volatile long lastScavengeNanos;
    private volatile long lastOrphansRemoved;

    private SessionAttributes attributes;
    private SessionWriter writer;
    private SessionTable table;
    private DatabaseSettings sqliteSettings;
    private PostgresSettings postgresSettings;
    private SessionDatabase database;
    private SessionScope scope;

    @Override
    protected void doStart() throws Exception {
        if (_context == null) {
            throw new IllegalStateException("No SessionContext");
        }
        validateSettings();
        scope = new SessionScope(_context.getCanonicalContextPath(), _context.getVhost());
        database = postgresSettings != null ? openPostgres() : SQLiteDatabase.acquire(sqliteSettings, table);
        writer = new SessionWriter(database, table, scope, attributes, saveInPlaceChanges);
        try {
            super.doStart();
        } catch (Exception | Error e) {
            // Give the use back now, and forget it, so that a stop after this failed start cannot give it back twice.
            database.release();
            database = null;
            throw e;
        }
    }

    private SessionDatabase openPostgres() throws SessionDatabaseException {
        try {
            return PostgresDatabase.acquire(postgresSettings, table);
        } catch (NoClassDefFoundError e) {
            throw new IllegalStateException(
                    "Sessions on PostgreSQL (" + postgresSettings.location() + ") need"
                            + " org.postgresql:postgresql and com.zaxxer:HikariCP on the class path (in jetty-home: add the"
                            + " session-store-sqlite-postgresql module); missing: " + e.getMessage(),
                    e);
        }
    }

    /**
     * Checks every setting, keeping the parsed table and filter and what opening the database needs.
     *
     * @throws IllegalArgumentException naming the first setting that is wrong and why
     */
    void validateSettings() {
        SqlDialect dialect = checked(dataSource != null ? "dataSource" : "url", this::chooseDialect);
        table = checked("tableName", () -> new SessionTable(tableName, dialect));
        ObjectInputFilter inputFilter =
                checked("deserializationFilter", () -> DeserializationFilter.create(deserializationFilter));
        checked("attributeKey", () -> AttributeSeal.of(attributeKey, null));
        AttributeSeal seal = checked("attributeOldKeys", () -> AttributeSeal.of(attributeKey, attributeOldKeys));
        attributes = new SessionAttributes(
                new AttributeCodec(seal, acceptUnsealedRows), new AttributeSerializer(inputFilter));
        Synchronous mode = checked("synchronous", () -> Synchronous.parse(synchronous));
        checked("busyTimeoutMs", () -> requireAtLeast(0, busyTimeoutMs, "busyTimeoutMs"));
        checked("maxReaders", () -> requireAtLeast(1, maxReaders, "maxReaders"));
        if (dialect == SqlDialect.POSTGRESQL) {
            sqliteSettings = null;
            postgresSettings = checked(
                    "url", () -> new PostgresSettings(url, user, password, poolSize, busyTimeoutMs, dataSource));
            return;
        }
        Path file = url != null
                ? checked("url", () -> ((DatabaseLocation.SQLiteFile) DatabaseLocation.parse(url)).file())
                : checked("databaseFile", () -> Objects.requireNonNull(databaseFile, "databaseFile must be set"));
        postgresSettings = null;
        sqliteSettings = new DatabaseSettings(file, mode, busyTimeoutMs, maxReaders);
    }

    /** A file unless a URL or data source says otherwise; only SQLite and PostgreSQL are spoken. */
    private SqlDialect chooseDialect() {
        if (dataSource != null) {
            if (url != null) {
                throw new IllegalArgumentException("set a url or a dataSource, not both");
            }
            return SqlDialect.POSTGRESQL;
        }
        if (url == null) {
            return SqlDialect.SQLITE;
        }
        return DatabaseLocation.parse(url) instanceof DatabaseLocation.PostgreSQLUrl
                ? SqlDialect.POSTGRESQL
                : SqlDialect.SQLITE;
    }

    @Override
    protected void doStop() throws Exception {
        super.doStop();
        if (database != null) {
            database.release();
            database = null;
        }
    }

    /**
     * Loads the session of this context with the given id, whether or not it has expired (the session manager
     * decides what to do with an expired one).
     *
     * @return the session, or null when this context holds none with that id
     * @throws UnreadableSessionDataException when the stored attributes cannot be deserialized
     */
    @Override
    public SessionData doLoad(String id) throws Exception {
        long start = System.nanoTime();
        try {
            return load(id, database.read(c -> table.load(c, scope, id)));
        } finally {
            loads.recordSince(start);
        }
    }

    private SessionData load(String id, StoredSession row) throws UnreadableSessionDataException {
        if (row == null) {
            return null;
        }
        SessionData data = newSessionData(id, row.created(), row.accessed(), row.lastAccessed(), row.maxInactiveMs());
        data.setCookieSet(row.cookieSet());
        data.setLastNode(row.lastNode());
        data.setLastSaved(row.lastSaved());
        data.setExpiry(row.expiry());
        try {
            attributes.readInto(data, row.attributes(), row.attributesVersion(), keyOf(id));
        } catch (Exception e) {
            throw new UnreadableSessionDataException(id, _context, e);
        }
        return data;
    }

    /**
     * Writes the session through the {@link SessionWriter}: a new session is inserted, a saved one only updated
     * (never recreated once deleted elsewhere), and only this request's attribute changes are written onto the row
     * as it is now, so concurrent requests of one session keep each other's changes.
     */
    @Override
    public void doStore(String id, SessionData data, long lastSaveTime) throws Exception {
        long start = System.nanoTime();
        try {
            writer.store(data, lastSaveTime);
        } catch (IOException e) {
            throw new UnwriteableSessionDataException(id, _context, e);
        } finally {
            stores.recordSince(start);
        }
    }

    /** The key columns of a session's row in this context, which a seal covers. */
    private AttributeSeal.SessionKey keyOf(String id) {
        return new AttributeSeal.SessionKey(scope.contextPath(), scope.virtualHost(), id);
    }

    /** Session data that remembers what the store needs to know of the row it came from. */
    @Override
    public SessionData newSessionData(String id, long created, long accessed, long lastAccessed, long maxInactiveMs) {
        return new TrackedSessionData(
                id,
                _context.getCanonicalContextPath(),
                _context.getVhost(),
                created,
                accessed,
                lastAccessed,
                maxInactiveMs);
    }

    /** True when this context holds the session and it has not expired (an immortal session never does). */
    @Override
    public boolean doExists(String id) throws Exception {
        double now = JulianDay.fromEpochMillis(System.currentTimeMillis());
        return database.read(c -> table.existsUnexpired(c, scope, id, now));
    }

    /** Removes the session from this context; true when there was one. */
    @Override
    public boolean delete(String id) throws Exception {
        SessionDatabase database = requireDatabase();
        long start = System.nanoTime();
        try {
            return database.writeStatement(c -> table.delete(c, scope, id)) > 0;
        } finally {
            deletes.recordSince(start);
        }
    }

    /**
     * Reconciles the candidates the session cache believes expired: returns each candidate that has expired at
     * {@code time} (whichever node last used it) or that this context no longer holds, plus every session of this
     * context last used by this node that has expired. A candidate whose stored expiry is still in the future was
     * kept alive by another node and is not returned. All candidates are checked by one query.
     */
    @Override
    public Set<String> doCheckExpired(Set<String> candidates, long time) {
        double at = JulianDay.fromEpochMillis(time);
        String node = _context.getWorkerName();
        try {
            return database.read(c -> {
                Set<String> expired = table.expiredOwnedBy(c, scope, node, at);
                if (!candidates.isEmpty()) {
                    expired.addAll(table.absentOrExpired(c, scope, candidates, at));
                }
                return expired;
            });
        } catch (Exception e) {
            LOG.warn("Cannot check expiry of {} candidate sessions in {}", candidates.size(), this, e);
            return new HashSet<>();
        }
    }

    /** Sessions of this context, last used by any node, whose expiry lies in (0, before]. */
    @Override
    public Set<String> doGetExpired(long before) {
        double limit = JulianDay.fromEpochMillis(before);
        try {
            return database.read(c -> table.expiredInContext(c, scope, limit));
        } catch (Exception e) {
            LOG.warn("Cannot find sessions expired before {} in {}", before, this, e);
            return new HashSet<>();
        }
    }

    /**
     * Deletes the sessions of every context whose expiry lies in (0, time]: nobody manages them any more. Runs in
     * batches so that requests waiting to write get the lock in between.
     */
    @Override
    public void doCleanOrphans(long time) {
        double limit = JulianDay.fromEpochMillis(time);
        long removed = 0;
        try {
            int deleted;
            do {
                deleted = database.writeStatement(c -> table.deleteExpiredBatch(c, limit, EXPIRED_DELETE_BATCH));
                removed += deleted;
            } while (deleted == EXPIRED_DELETE_BATCH);
            if (removed > 0) {
                database.releaseFreePages();
            }
        } catch (Exception e) {
            LOG.warn("Cannot delete sessions expired before {} in {}", time, this, e);
        } finally {
            lastOrphansRemoved = removed;
        }
    }

    /** Times each scavenging pass (Jetty's reconciliation of candidates, the expiry search and the orphan sweep). */
    @Override
    public Set<String> getExpired(Set<String> candidates) {
        long start = System.nanoTime();
        try {
            return super.getExpired(candidates);
        } finally {
            lastScavengeNanos = System.nanoTime() - start;
        }
    }

    @Override
    @ManagedAttribute(value = "does this store serialize sessions", readonly = true)
    public boolean isPassivating() {
        return true;
    }

    @ManagedAttribute(value = "the SQLite database file", readonly = true)
    public Path getDatabaseFile() {
        return databaseFile;
    }

    public void setDatabaseFile(Path databaseFile) {
        checkStarted();
        this.databaseFile = databaseFile;
    }

    @ManagedAttribute(value = "the JDBC URL of the session database, without its query string", readonly = true)
    public String getUrl() {
        return url == null ? null : PostgresSettings.redact(url);
    }

    /**
     * Keeps sessions where this JDBC URL points instead of in {@link #setDatabaseFile the file}: a {@code
     * jdbc:postgresql://host/database} URL for a PostgreSQL server (add {@code org.postgresql:postgresql} and {@code
     * com.zaxxer:HikariCP} to the class path), or a {@code jdbc:sqlite:path} URL for a file. Null (the default)
     * means the file.
     */
    public void setUrl(String url) {
        checkStarted();
        this.url = url == null || url.isBlank() ? null : url.trim();
    }

    public String getUser() {
        return user;
    }

    /** The PostgreSQL user, unless the URL names one. */
    public void setUser(String user) {
        checkStarted();
        this.user = user == null || user.isEmpty() ? null : user;
    }

    /** The PostgreSQL password, unless the URL holds one. Never shown by JMX or in messages. */
    public void setPassword(String password) {
        checkStarted();
        this.password = password == null || password.isEmpty() ? null : password;
    }

    public javax.sql.DataSource getDataSource() {
        return dataSource;
    }

    /**
     * Keeps sessions on the PostgreSQL server this application-owned data source reaches, pooled as the
     * application chose; it is never closed by the store. Excludes {@link #setUrl}.
     */
    public void setDataSource(javax.sql.DataSource dataSource) {
        checkStarted();
        this.dataSource = dataSource;
    }

    @ManagedAttribute(value = "the most PostgreSQL connections the store's own pool opens", readonly = true)
    public int getPoolSize() {
        return poolSize;
    }

    /** On PostgreSQL with a URL, the most connections the pool opens, shared by every store with the same URL. */
    public void setPoolSize(int poolSize) {
        checkStarted();
        this.poolSize = poolSize;
    }

    @ManagedAttribute(value = "the table holding the sessions", readonly = true)
    public String getTableName() {
        return tableName;
    }

    public void setTableName(String tableName) {
        checkStarted();
        this.tableName = tableName;
    }

    @ManagedAttribute(value = "SQLite's synchronous mode for commits", readonly = true)
    public String getSynchronous() {
        return synchronous;
    }

    /** One of OFF, NORMAL (the default: durable across crashes of the process), FULL (also power loss), EXTRA. */
    public void setSynchronous(String synchronous) {
        checkStarted();
        this.synchronous = synchronous;
    }

    @ManagedAttribute(value = "ms a write waits for another process's lock", readonly = true)
    public int getBusyTimeoutMs() {
        return busyTimeoutMs;
    }

    public void setBusyTimeoutMs(int busyTimeoutMs) {
        checkStarted();
        this.busyTimeoutMs = busyTimeoutMs;
    }

    @ManagedAttribute(value = "the most read connections open at once", readonly = true)
    public int getMaxReaders() {
        return maxReaders;
    }

    public void setMaxReaders(int maxReaders) {
        checkStarted();
        this.maxReaders = maxReaders;
    }

    @ManagedAttribute(value = "the filter every attribute is deserialized through", readonly = true)
    public String getDeserializationFilter() {
        return deserializationFilter;
    }

    /**
     * The {@link java.io.ObjectInputFilter} pattern (the JDK's {@code jdk.serialFilter} syntax) that every attribute
     * is deserialized through; a rejected class or exceeded limit makes the session unreadable instead of letting
     * the object be built. Defaults to {@link #DEFAULT_DESERIALIZATION_FILTER}: graph limits plus a deny-list of
     * known gadget classes. A JVM-wide filter, when set, applies as well.
     */
    public void setDeserializationFilter(String deserializationFilter) {
        checkStarted();
        this.deserializationFilter = deserializationFilter;
    }

    @ManagedAttribute(value = "are attribute blobs sealed with a secret key", readonly = true)
    public boolean isSealing() {
        return attributeKey != null;
    }

    /**
     * Seals every attribute blob written with an HMAC-SHA256 under this secret key, over the blob and the row's key
     * columns, and refuses to deserialize a blob whose seal does not verify: a row forged or copied by anyone who can
     * write to the database then never reaches {@code readObject}. The key is named, never given: {@code env:NAME}
     * (an environment variable) or {@code file:PATH} (a file), holding at least 32 bytes of text (for example the
     * output of {@code openssl rand -base64 32}). It is never logged or shown. Null (the default) seals nothing.
     */
    public void setAttributeKey(String attributeKey) {
        checkStarted();
        this.attributeKey = attributeKey == null || attributeKey.isBlank() ? null : attributeKey.trim();
    }

    /**
     * Keys that still verify seals but no longer seal, comma-separated, each {@code env:NAME} or {@code file:PATH}:
     * to rotate, make the old key an old key and set a new {@link #setAttributeKey attributeKey}; rows move to the new
     * key as they are written. With only old keys, nothing new is sealed.
     */
    public void setAttributeOldKeys(String attributeOldKeys) {
        checkStarted();
        this.attributeOldKeys = attributeOldKeys;
    }

    @ManagedAttribute(value = "are rows without a seal still read while keys are configured", readonly = true)
    public boolean isAcceptUnsealedRows() {
        return acceptUnsealedRows;
    }

    /**
     * With a key configured, whether rows written without a seal (before sealing was switched on) are still read;
     * they are sealed on their next write. True by default; false once every row has been sealed, so that an
     * unsealed row planted later is refused.
     */
    public void setAcceptUnsealedRows(boolean acceptUnsealedRows) {
        checkStarted();
        this.acceptUnsealedRows = acceptUnsealedRows;
    }

    @ManagedAttribute(value = "schema version of the session table layout", readonly = true)
    public int getSchemaVersion() throws SessionDatabaseException {
        return requireDatabase().read(table::schemaVersion);
    }

    @ManagedAttribute(value = "SQLite journal mode (none on PostgreSQL)", readonly = true)
    public String getJournalMode() throws SessionDatabaseException {
        return requireDatabase().journalMode();
    }

    @ManagedAttribute(value = "sessions in the table, all contexts", readonly = true)
    public long getSessionsStored() throws SessionDatabaseException {
        return requireDatabase().read(table::count);
    }

    @ManagedAttribute(value = "sessions in the table for this context", readonly = true)
    public long getSessionsStoredInContext() throws SessionDatabaseException {
        return requireDatabase().read(c -> table.countInScope(c, scope));
    }

    @ManagedAttribute(value = "expired sessions, all contexts, waiting to be removed", readonly = true)
    public long getExpiredSessionsWaiting() throws SessionDatabaseException {
        return admin().countExpired();
    }

    @ManagedAttribute(value = "size of the database file in bytes (-1 on PostgreSQL)", readonly = true)
    public long getFileSizeBytes() {
        return requireDatabase().fileBytes();
    }

    @ManagedAttribute(value = "size of the write-ahead log in bytes (-1 on PostgreSQL)", readonly = true)
    public long getWalSizeBytes() {
        return requireDatabase().walBytes();
    }

    @ManagedAttribute(
            value = "why writes are refused: the database file was deleted or replaced while in use (null while it"
                    + " is the file opened)",
            readonly = true)
    public String getDatabaseFileLost() {
        return requireDatabase() instanceof SQLiteDatabase sqlite ? sqlite.fileLost() : null;
    }

    @ManagedAttribute(value = "checkpoints forced because the WAL outgrew its bound", readonly = true)
    public long getForcedCheckpoints() {
        return requireDatabase().forcedCheckpoints();
    }

    @ManagedAttribute(value = "sessions loaded", readonly = true)
    public long getLoadCount() {
        return loads.count();
    }

    @ManagedAttribute(value = "mean load time in ms", readonly = true)
    public double getLoadMeanMs() {
        return loads.meanMillis();
    }

    @ManagedAttribute(value = "longest load time in ms", readonly = true)
    public double getLoadMaxMs() {
        return loads.maxMillis();
    }

    @ManagedAttribute(value = "sessions stored", readonly = true)
    public long getStoreCount() {
        return stores.count();
    }

    @ManagedAttribute(value = "mean store time in ms", readonly = true)
    public double getStoreMeanMs() {
        return stores.meanMillis();
    }

    @ManagedAttribute(value = "longest store time in ms", readonly = true)
    public double getStoreMaxMs() {
        return stores.maxMillis();
    }

    @ManagedAttribute(value = "sessions deleted", readonly = true)
    public long getDeleteCount() {
        return deletes.count();
    }

    @ManagedAttribute(value = "mean delete time in ms", readonly = true)
    public double getDeleteMeanMs() {
        return deletes.meanMillis();
    }

    @ManagedAttribute(value = "longest delete time in ms", readonly = true)
    public double getDeleteMaxMs() {
        return deletes.maxMillis();
    }

    @ManagedAttribute(value = "stores of sessions deleted elsewhere, left deleted", readonly = true)
    public long getStoresOfDeletedSessions() {
        return writer == null ? 0 : writer.storesOfDeletedSessions();
    }

    @ManagedAttribute(value = "attribute writes merged with a concurrent change of the same session", readonly = true)
    public long getMergedWrites() {
        return writer == null ? 0 : writer.mergedWrites();
    }

    @ManagedAttribute(value = "are attributes changed in place (without setAttribute) saved", readonly = true)
    public boolean isSaveInPlaceChanges() {
        return saveInPlaceChanges;
    }

    /**
     * Whether an attribute changed in place, without {@code setAttribute} being called again (an item added to a
     * stored list, a field of a stored bean), is saved. True by default, as Jetty's own stores save it: every
     * attribute is serialized on each store and compared with what the row holds, and only those that differ are
     * written. An application that always calls {@code setAttribute} after a change can set this false: only the
     * attributes set are then serialized, which saves that work on every request, and an in-place change is lost.
     */
    public void setSaveInPlaceChanges(boolean saveInPlaceChanges) {
        checkStarted();
        this.saveInPlaceChanges = saveInPlaceChanges;
    }

    @ManagedAttribute(value = "duration of the last scavenging pass in ms", readonly = true)
    public double getLastScavengeDurationMs() {
        return lastScavengeNanos / 1e6;
    }

    @ManagedAttribute(value = "expired sessions the last orphan sweep removed", readonly = true)
    public long getLastScavengeRowsRemoved() {
        return lastOrphansRemoved;
    }

    @ManagedOperation(
            value =
                    "delete the sessions of every context that expired more than the grace period ago; returns how many",
            impact = "ACTION")
    public long purgeExpiredSessions() throws SessionDatabaseException {
        return admin().purgeExpired(Duration.ofSeconds(getGracePeriodSec()), SessionDatabaseAdmin.Progress.NONE);
    }

    @ManagedOperation(
            value = "copy the live database to a file with SQLite's online backup; an existing file is replaced only"
                    + " with overwrite=true",
            impact = "ACTION")
    public String backup(
            @Name(value = "file", description = "the backup file to write") String file,
            @Name(value = "overwrite", description = "replace the file if it exists") boolean overwrite)
            throws SessionDatabaseException {
        Path target = Path.of(file);
        admin().backup(target, overwrite, SessionDatabaseAdmin.Progress.NONE);
        return "backed up " + requireDatabase().location() + " to " + target.toAbsolutePath();
    }

    /** Administration of the database this store uses, sharing its connections; for JMX and tools. */
    public SessionDatabaseAdmin admin() {
        return SessionDatabaseAdmin.of(requireDatabase(), table);
    }

    private SessionDatabase requireDatabase() {
        SessionDatabase open = database;
        if (open == null) {
            throw new IllegalStateException("Not started");
        }
        return open;
    }

    /** The open database, for tests and tools in this package; null while stopped. */
    SessionDatabase database() {
        return database;
    }

    /** The open SQLite database, for tests of its connection model; fails on PostgreSQL. */
    SQLiteDatabase sqliteDatabase() {
        return (SQLiteDatabase) database;
    }

    SessionTable table() {
        return table;
    }

    @Override
    public String toString() {
        return String.format(
                "%s@%x[database=%s,table=%s,context=%s]",
                getClass().getSimpleName(),
                hashCode(),
                url != null ? PostgresSettings.redact(url) : databaseFile,
                tableName,
                scope);
    }

    private static int requireAtLeast(int least, int value, String setting) {
        if (value < least) {
            throw new IllegalArgumentException(setting + " must be at least " + least + ", not " + value);
        }
        return value;
    }

    /** Runs a validation and names the setting at fault, so a bad configuration stops start-up in one sentence. */
    private static <T> T checked(String setting, java.util.function.Supplier<T> validation) {
        try {
            return validation.get();
        } catch (IllegalArgumentException | NullPointerException e) {
            throw new IllegalArgumentException(
                    "Invalid SQLite session store setting " + setting + ": " + e.getMessage());
        }
    }
}
