package io.github.jettysqlite.sessions;

import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;
import org.eclipse.jetty.session.SessionData;

/**
 * The session table: its DDL, its schema version and every SQL statement the store runs, so that the whole
 * schema reads in one place.
 *
 * <p>Layout. One row per (session id, canonical context path, virtual host), so many contexts and virtual hosts
 * share one file. Timestamps are epoch milliseconds as Jetty keeps them, except {@code expires_at}, which is a
 * Julian day ({@code julianday()} scale) or NULL for a session that never expires. The metadata columns come first
 * and the attribute blob last: a metadata-only update then produces a record of the same size, which SQLite
 * overwrites in place, rewriting only the page that holds the changed metadata and leaving the blob's overflow
 * pages untouched.
 *
 * <p>Expiry index. A partial index on {@code expires_at} (followed by the context columns, so the per-context
 * queries filter inside the index) holds only sessions that can expire. Every expiry query compares the bare
 * column with a bound parameter, never a function of it, so SQLite can {@code SEARCH} the index and the cost
 * follows the number of expired rows, not the size of the table.
 */
final class SessionTable {
    /**
     * The layout version written to {@code PRAGMA user_version}, which covers every session table in the file.
     *
     * <ol>
     *   <li>primary key (session_id, context_path, virtual_host)
     *   <li>primary key (context_path, virtual_host, session_id): a context's sessions form one key range, so
     *       counting or listing them does not scan the table
     *   <li>{@code attributes_version}, which every write of the attributes increments, so a write can tell whether
     *       another request changed them since it loaded the session (added in place)
     * </ol>
     */
    static final int SCHEMA_VERSION = 3;

    /** Incremented by every write of the attributes, never by a metadata-only update. */
    static final String VERSION_COLUMN = "attributes_version";

    static final String DEFAULT_NAME = "jetty_sessions";

    /** On PostgreSQL, the table recording each session table's layout version. */
    static final String POSTGRESQL_VERSION_TABLE = "jetty_session_schema";

    /** On a migration target, the sessions each migration copied there, so that a later run can tell deletions. */
    static final String MIGRATION_LEDGER = "jetty_session_migrations";

    /** Any fixed number will do: it only has to differ from the advisory locks other applications take. */
    private static final long SCHEMA_LOCK_KEY = 0x6a657474795f7373L;

    private static final Pattern VALID_NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_]{0,62}");

    /** Columns in table order; checked against an existing table so a foreign table of the same name is refused. */
    static final List<String> COLUMNS = List.of(
            "session_id",
            "context_path",
            "virtual_host",
            "last_node",
            "created_ms",
            "accessed_ms",
            "last_accessed_ms",
            "cookie_set_ms",
            "last_saved_ms",
            "max_inactive_ms",
            "expires_at",
            "attributes");

    /** PostgreSQL truncates identifiers past 63 bytes; the longest derived name is the table's plus "_expiry". */
    private static final int POSTGRESQL_MAX_NAME = 63 - "_expiry".length();

    private final String name;
    private final SqlDialect dialect;
    private final String expiryIndex;

    private final String createTable;
    private final String createVersionTable;
    private final String readVersion;
    private final String recordVersion;
    private final String copyFromVersion1;
    private final String createExpiryIndex;
    private final String load;
    private final String existsUnexpired;
    private final String upsert;
    private final String updateMetadata;
    private final String updateAttributes;
    private final String updateAttributesAnyVersion;
    private final String currentAttributes;
    private final String addVersionColumn;
    private final String delete;
    private final String expiredInContext;
    private final String expiredOwnedBy;
    private final String absentOrExpired;
    private final String countAll;
    private final String countInScope;
    private final String countExpired;
    private final String statsByScope;
    private final String list;
    private final String findById;
    private final String deleteAllBatch;
    private final String countLive;
    private final String liveRowsAfter;
    private final String copyUpdate;
    private final String copyInsert;
    private final String lastSavedOf;
    private final String createLedger;
    private final String ledgerCreated;
    private final String recordInLedger;
    private final String deleteExpiredBatch;

    SessionTable(String name) {
        this(name, SqlDialect.SQLITE);
    }

    SessionTable(String name, SqlDialect dialect) {
        this.name = validateName(name);
        this.dialect = dialect;
        this.expiryIndex = name + "_expiry";
        if (dialect == SqlDialect.POSTGRESQL && name.length() > POSTGRESQL_MAX_NAME) {
            throw new IllegalArgumentException("table name must be at most " + POSTGRESQL_MAX_NAME
                    + " characters on PostgreSQL, which cuts longer index names short: '" + name + "'");
        }
        String millis = dialect.millisType;

        createTable = "CREATE TABLE IF NOT EXISTS " + name + " ("
                + "session_id TEXT NOT NULL, "
                + "context_path TEXT NOT NULL, "
                + "virtual_host TEXT NOT NULL, "
                + "last_node TEXT, "
                + "created_ms " + millis + " NOT NULL, "
                + "accessed_ms " + millis + " NOT NULL, "
                + "last_accessed_ms " + millis + " NOT NULL, "
                + "cookie_set_ms " + millis + " NOT NULL, "
                + "last_saved_ms " + millis + " NOT NULL, "
                + "max_inactive_ms " + millis + " NOT NULL, "
                + "expires_at " + dialect.julianDayType + ", "
                + VERSION_COLUMN + " " + millis + " NOT NULL DEFAULT 0, "
                + "attributes " + dialect.bytesType + " NOT NULL, "
                + "PRIMARY KEY (context_path, virtual_host, session_id))";
        createVersionTable = "CREATE TABLE IF NOT EXISTS " + POSTGRESQL_VERSION_TABLE
                + " (table_name TEXT PRIMARY KEY, version INTEGER NOT NULL)";
        readVersion = "SELECT version FROM " + POSTGRESQL_VERSION_TABLE + " WHERE table_name = ?";
        recordVersion = "INSERT INTO " + POSTGRESQL_VERSION_TABLE + " (table_name, version) VALUES (?, ?)"
                + " ON CONFLICT (table_name) DO UPDATE SET version = excluded.version";
        copyFromVersion1 = "INSERT INTO " + name + " (" + String.join(", ", COLUMNS) + ") SELECT "
                + String.join(", ", COLUMNS) + " FROM " + name + "_v1";
        createExpiryIndex = "CREATE INDEX IF NOT EXISTS " + expiryIndex + " ON " + name
                + " (expires_at, context_path, virtual_host) WHERE expires_at IS NOT NULL";

        String key = " WHERE session_id = ? AND context_path = ? AND virtual_host = ?";
        load = "SELECT last_node, created_ms, accessed_ms, last_accessed_ms, cookie_set_ms, last_saved_ms,"
                + " max_inactive_ms, expires_at, attributes, " + VERSION_COLUMN + " FROM " + name + key;
        addVersionColumn =
                "ALTER TABLE " + name + " ADD COLUMN " + VERSION_COLUMN + " " + millis + " NOT NULL DEFAULT 0";
        existsUnexpired = "SELECT 1 FROM " + name + key + " AND (expires_at IS NULL OR expires_at > ?)";
        // ON CONFLICT DO UPDATE keeps the row (and its rowid) rather than deleting and re-inserting it as
        // INSERT OR REPLACE would; created_ms is the only column a later store never changes.
        // ON CONFLICT DO UPDATE keeps the row (and its rowid) rather than deleting and re-inserting it as
        // INSERT OR REPLACE would. An insert meeting a row (a retry after an ambiguous failure) replaces it whole
        // and moves the version on, so that requests holding the old row merge rather than overwrite.
        upsert = "INSERT INTO " + name + " (" + String.join(", ", COLUMNS) + ")"
                + " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
                + " ON CONFLICT (context_path, virtual_host, session_id) DO UPDATE SET"
                + " last_node = excluded.last_node, created_ms = excluded.created_ms,"
                + " accessed_ms = excluded.accessed_ms, last_accessed_ms = excluded.last_accessed_ms,"
                + " cookie_set_ms = excluded.cookie_set_ms, last_saved_ms = excluded.last_saved_ms,"
                + " max_inactive_ms = excluded.max_inactive_ms, expires_at = excluded.expires_at,"
                + " attributes = excluded.attributes, " + VERSION_COLUMN + " = " + name + "." + VERSION_COLUMN + " + 1";
        // Time never goes backwards: the access-dependent columns take the written values only when this write's
        // access is at least as recent as the stored one, so a slow request cannot shorten a session that other
        // requests kept alive meanwhile. Every SET expression reads the row as it was before the statement.
        String newer = "CASE WHEN accessed_ms <= ? THEN ? ELSE ";
        String metadata = " last_node = " + newer + "last_node END,"
                + " last_accessed_ms = " + newer + "last_accessed_ms END,"
                + " max_inactive_ms = " + newer + "max_inactive_ms END,"
                + " expires_at = " + newer + "expires_at END,"
                + " accessed_ms = " + dialect.greatest("accessed_ms", "?") + ","
                + " cookie_set_ms = " + dialect.greatest("cookie_set_ms", "?") + ","
                + " last_saved_ms = " + dialect.greatest("last_saved_ms", "?");
        updateMetadata = "UPDATE " + name + " SET" + metadata + key;
        String attributesSet = "UPDATE " + name + " SET" + metadata + ", attributes = ?, " + VERSION_COLUMN + " = "
                + VERSION_COLUMN + " + 1" + key;
        updateAttributes = attributesSet + " AND " + VERSION_COLUMN + " = ?";
        updateAttributesAnyVersion = attributesSet;
        currentAttributes =
                "SELECT " + VERSION_COLUMN + ", attributes FROM " + name + key + dialect.lockingTheRowsRead();
        delete = "DELETE FROM " + name + key;
        // The three expiry statements compare the bare column with a bound parameter; both engines take
        // "expires_at <= ?" as implying the partial index's "expires_at IS NOT NULL" and search the index for
        // the range, so their cost follows the number of expired rows. On SQLite, INDEXED BY pins that choice:
        // without statistics the planner would rather walk the primary key's context prefix, that is every session
        // of the context, and should the index ever become unusable, SQLite fails the statement instead of scanning.
        String expiredRows = " FROM " + name + dialect.pinnedTo(expiryIndex) + " WHERE expires_at <= ?";
        expiredInContext = "SELECT session_id" + expiredRows + " AND context_path = ? AND virtual_host = ?";
        expiredOwnedBy =
                "SELECT session_id" + expiredRows + " AND context_path = ? AND virtual_host = ? AND last_node = ?";
        String row = dialect.rowLocator;
        deleteExpiredBatch = "DELETE FROM " + name + " WHERE " + row + " IN (SELECT " + row + expiredRows + " LIMIT ?)";
        // Candidates arrive as one JSON array, so checking any number of them is one statement prepared once.
        // A candidate is returned unless a row for it exists in this context that has not expired.
        absentOrExpired = "SELECT candidate.value FROM " + dialect.jsonArrayElements("?", "candidate")
                + " WHERE NOT EXISTS (SELECT 1 FROM "
                + name + " WHERE session_id = candidate.value AND context_path = ? AND virtual_host = ?"
                + " AND (expires_at IS NULL OR expires_at > ?))";

        // Operations and statistics: not on the request path, but the per-context count walks only the primary
        // key's context prefix and the expired count only the expiry index.
        countAll = "SELECT count(*) FROM " + name;
        countInScope = "SELECT count(*) FROM " + name + " WHERE context_path = ? AND virtual_host = ?";
        countExpired = "SELECT count(*)" + expiredRows;
        statsByScope = "SELECT context_path, virtual_host, count(*),"
                + " coalesce(sum(CASE WHEN expires_at <= ? THEN 1 ELSE 0 END), 0),"
                + " coalesce(sum(CASE WHEN expires_at IS NULL THEN 1 ELSE 0 END), 0),"
                + " min(created_ms), max(created_ms) FROM " + name + " GROUP BY context_path, virtual_host"
                + " ORDER BY context_path, virtual_host";
        String summaryColumns = "session_id, context_path, virtual_host, last_node, created_ms, accessed_ms,"
                + " expires_at, length(attributes)";
        // Parameters: the context path twice (NULL for all), the wanted expiry state (1 expired only, 0 unexpired
        // only, NULL both), now, the state again, limit, offset. Plain "?" markers, which both drivers accept.
        list = "SELECT " + summaryColumns + " FROM " + name + " WHERE (CAST(? AS TEXT) IS NULL OR context_path = ?)"
                + " AND (CAST(? AS INTEGER) IS NULL OR"
                + " (CASE WHEN expires_at <= ? THEN 1 ELSE 0 END) = ?)"
                + " ORDER BY context_path, virtual_host, session_id LIMIT ? OFFSET ?";
        findById = "SELECT " + summaryColumns + ", last_accessed_ms, cookie_set_ms, last_saved_ms, max_inactive_ms,"
                + " attributes FROM " + name + " WHERE session_id = ? ORDER BY context_path, virtual_host";
        // Migration: live rows in key order, a page at a time after the last key seen (keyset paging, so each page
        // starts where the last ended without counting the rows before it), written to the target unless the
        // target already holds a newer save of the same session, which makes a second run change nothing.
        String live = "(expires_at IS NULL OR expires_at > ?)";
        countLive = "SELECT count(*) FROM " + name + " WHERE " + live;
        liveRowsAfter = "SELECT " + String.join(", ", COLUMNS) + " FROM " + name
                + " WHERE (context_path, virtual_host, session_id) > (?, ?, ?) AND " + live
                + " ORDER BY context_path, virtual_host, session_id LIMIT ?";
        // A copy overwrites only an older save of the same session; the ledger remembers each session copied (with
        // its creation time, which tells it from a later session that happens to reuse the id), so that a session
        // absent from the target but in the ledger is known to have been deleted there, and is not copied back.
        copyUpdate = "UPDATE " + name + " SET last_node = ?, created_ms = ?, accessed_ms = ?, last_accessed_ms = ?,"
                + " cookie_set_ms = ?, last_saved_ms = ?, max_inactive_ms = ?, expires_at = ?, attributes = ?, "
                + VERSION_COLUMN + " = " + VERSION_COLUMN + " + 1" + key + " AND last_saved_ms < ?";
        copyInsert = "INSERT INTO " + name + " (" + String.join(", ", COLUMNS) + ")"
                + " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";
        lastSavedOf = "SELECT last_saved_ms FROM " + name + key;
        createLedger = "CREATE TABLE IF NOT EXISTS " + MIGRATION_LEDGER + " (table_name TEXT NOT NULL,"
                + " context_path TEXT NOT NULL, virtual_host TEXT NOT NULL, session_id TEXT NOT NULL,"
                + " created_ms " + millis
                + " NOT NULL, PRIMARY KEY (table_name, context_path, virtual_host, session_id))";
        String ledgerKey = " WHERE table_name = ? AND context_path = ? AND virtual_host = ? AND session_id = ?";
        ledgerCreated = "SELECT created_ms FROM " + MIGRATION_LEDGER + ledgerKey;
        recordInLedger = "INSERT INTO " + MIGRATION_LEDGER
                + " (table_name, context_path, virtual_host, session_id, created_ms) VALUES (?, ?, ?, ?, ?)"
                + " ON CONFLICT (table_name, context_path, virtual_host, session_id)"
                + " DO UPDATE SET created_ms = excluded.created_ms";
        deleteAllBatch = "DELETE FROM " + name + " WHERE " + row + " IN (SELECT " + row + " FROM " + name + " LIMIT ?)";
    }

    /**
     * Refuses any table name that is not a plain SQL identifier. The name is spliced into SQL text (identifiers
     * cannot be bound), so this check is what keeps configuration from injecting SQL.
     */
    static String validateName(String name) {
        if (name == null || !VALID_NAME.matcher(name).matches()) {
            throw new IllegalArgumentException("table name must match [A-Za-z_][A-Za-z0-9_]{0,62}, not "
                    + (name == null ? "null" : "'" + name + "'"));
        }
        if (name.regionMatches(true, 0, "sqlite_", 0, 7)) {
            throw new IllegalArgumentException(
                    "table name must not start with 'sqlite_', which SQLite reserves: '" + name + "'");
        }
        return name;
    }

    String name() {
        return name;
    }

    SqlDialect dialect() {
        return dialect;
    }

    String expiryIndexName() {
        return expiryIndex;
    }

    /**
     * Brings the file to this layout inside one write transaction: refuses a newer schema version, migrates every
     * session table of an older version in place, creates this table and its index when missing, refuses a
     * same-named table that is not ours, and records the version.
     */
    void ensureSchema(CachedConnection c) throws SQLException {
        if (dialect == SqlDialect.POSTGRESQL) {
            ensurePostgresSchema(c);
            return;
        }
        int version = queryInt(c, "PRAGMA user_version");
        if (version > SCHEMA_VERSION) {
            throw new SchemaException("was written by a newer version of jetty-sqlite-sessions (schema version "
                    + version + "); this version understands schema version " + SCHEMA_VERSION
                    + " at most. Upgrade jetty-sqlite-sessions or use another database file.");
        }
        if (version == 1) {
            for (String table : sessionTables(c)) {
                new SessionTable(table).migrateFromVersion1(c);
            }
        }
        if (version >= 1 && version < 3) {
            for (String table : sessionTables(c)) {
                new SessionTable(table).addVersionColumnIfMissing(c);
            }
        }
        c.execute(createTable);
        List<String> missing = missingColumns(c, name);
        if (!missing.isEmpty()) {
            throw new SchemaException("already has a table named '" + name
                    + "' that is not a session table of this library (missing columns " + missing
                    + "). Choose another table name.");
        }
        addVersionColumnIfMissing(c);
        c.execute(createExpiryIndex);
        if (version < SCHEMA_VERSION) {
            c.execute("PRAGMA user_version = " + SCHEMA_VERSION);
        }
    }

    /**
     * Checks, without changing anything, that this table exists with every column of a session table, at any
     * layout version this library can read.
     *
     * @throws SchemaException when it is missing, foreign, or newer than this library
     */
    void requireReadable(CachedConnection c) throws SQLException {
        List<String> missing = missingColumns(c, name);
        if (missing.size() == COLUMNS.size()) {
            throw new SchemaException("has no table named '" + name + "'");
        }
        if (!missing.isEmpty()) {
            throw new SchemaException("has a table named '" + name
                    + "' that is not a session table of this library (missing columns " + missing + ")");
        }
        int version = schemaVersion(c);
        if (version > SCHEMA_VERSION) {
            throw new SchemaException("holds table '" + name + "' in schema version " + version
                    + ", newer than this version of jetty-sqlite-sessions understands (" + SCHEMA_VERSION + ")");
        }
    }

    /**
     * As {@link #requireReadable}, and the table must be at this library's layout version: tools that write never
     * upgrade a schema behind an operator's back.
     */
    void requireCurrent(CachedConnection c) throws SQLException {
        requireReadable(c);
        int version = schemaVersion(c);
        if (version < SCHEMA_VERSION) {
            throw new SchemaException("holds table '" + name + "' in schema version " + version + "; this version of"
                    + " jetty-sqlite-sessions writes version " + SCHEMA_VERSION + " and upgrades only when asked:"
                    + " start a server with it, or run the command line's upgrade-schema");
        }
    }

    /**
     * PostgreSQL keeps one version per session table, in a table of its own, since a server holds many schemas and
     * applications. Layout version 1 never existed there.
     */
    private void ensurePostgresSchema(CachedConnection c) throws SQLException {
        // Nodes starting together would race on CREATE TABLE IF NOT EXISTS, which PostgreSQL does not make atomic
        // (the loser fails on a catalog unique index); a lock held until this transaction ends lines them up.
        PreparedStatement lock = c.prepare("SELECT pg_advisory_xact_lock(?)");
        lock.setLong(1, SCHEMA_LOCK_KEY);
        lock.executeQuery().close();
        c.execute(createVersionTable);
        int version = schemaVersion(c);
        if (version > SCHEMA_VERSION) {
            throw new SchemaException("holds table '" + name + "' written by a newer version of jetty-sqlite-sessions"
                    + " (schema version " + version + "); this version understands schema version " + SCHEMA_VERSION
                    + " at most. Upgrade jetty-sqlite-sessions or use another table.");
        }
        c.execute(createTable);
        List<String> missing = missingColumns(c, name);
        if (!missing.isEmpty()) {
            throw new SchemaException("already has a table named '" + name
                    + "' that is not a session table of this library (missing columns " + missing
                    + "). Choose another table name.");
        }
        addVersionColumnIfMissing(c);
        c.execute(createExpiryIndex);
        if (version < SCHEMA_VERSION) {
            PreparedStatement record = c.prepare(recordVersion);
            record.setString(1, versionKey());
            record.setInt(2, SCHEMA_VERSION);
            record.executeUpdate();
        }
    }

    /** The layout version of this table: the file's on SQLite, the table's own on PostgreSQL; 0 when unrecorded. */
    int schemaVersion(CachedConnection c) throws SQLException {
        if (dialect == SqlDialect.SQLITE) {
            return queryInt(c, "PRAGMA user_version");
        }
        PreparedStatement s = c.prepare(readVersion);
        s.setString(1, versionKey());
        try (ResultSet row = s.executeQuery()) {
            return row.next() ? row.getInt(1) : 0;
        }
    }

    /** PostgreSQL folds unquoted identifiers to lower case, so that is how its catalogs spell the table. */
    private String versionKey() {
        return name.toLowerCase(java.util.Locale.ROOT);
    }

    /**
     * Version 1 to 2: the primary key changed order, which SQLite can only do by rebuilding the table. The rows
     * are copied unchanged inside the caller's transaction, so a failure leaves version 1 intact.
     */
    private void migrateFromVersion1(CachedConnection c) throws SQLException {
        c.execute("ALTER TABLE " + name + " RENAME TO " + name + "_v1");
        c.execute(createTable);
        c.execute(copyFromVersion1);
        c.execute("DROP TABLE " + name + "_v1");
        c.execute(createExpiryIndex);
    }

    /**
     * Version 2 to 3: the attributes' version column, added in place (no row is rewritten; existing rows read 0).
     * A table created by this version already has it.
     */
    private void addVersionColumnIfMissing(CachedConnection c) throws SQLException {
        if (!columnsOf(c, name).contains(VERSION_COLUMN)) {
            c.execute(addVersionColumn);
        }
    }

    /** The tables in the file that have every column of a session table, whatever their name. */
    private List<String> sessionTables(CachedConnection c) throws SQLException {
        List<String> tables = new ArrayList<>();
        try (ResultSet rows = c.prepare(
                        "SELECT name FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\'")
                .executeQuery()) {
            while (rows.next()) {
                tables.add(rows.getString(1));
            }
        }
        List<String> sessionTables = new ArrayList<>();
        for (String table : tables) {
            if (VALID_NAME.matcher(table).matches() && missingColumns(c, table).isEmpty()) {
                sessionTables.add(table);
            }
        }
        return sessionTables;
    }

    private List<String> missingColumns(CachedConnection c, String table) throws SQLException {
        Set<String> present = columnsOf(c, table);
        List<String> missing = new ArrayList<>();
        for (String column : COLUMNS) {
            if (!present.contains(column)) {
                missing.add(column);
            }
        }
        return missing;
    }

    /** Table names reach this query only after matching VALID_NAME, so splicing them in is safe. */
    private Set<String> columnsOf(CachedConnection c, String table) throws SQLException {
        Set<String> present = new HashSet<>();
        PreparedStatement columns;
        if (dialect == SqlDialect.POSTGRESQL) {
            columns = c.prepare("SELECT column_name FROM information_schema.columns"
                    + " WHERE table_schema = current_schema() AND table_name = ?");
            columns.setString(1, table.toLowerCase(java.util.Locale.ROOT));
        } else {
            columns = c.prepare("SELECT name FROM pragma_table_info('" + table + "')");
        }
        try (ResultSet rows = columns.executeQuery()) {
            while (rows.next()) {
                present.add(rows.getString(1));
            }
        }
        return present;
    }

    /** Reads one session row of a context, expired or not; null when there is none. */
    StoredSession load(CachedConnection c, SessionScope scope, String id) throws SQLException {
        PreparedStatement s = c.prepare(load);
        bindKey(s, 1, scope, id);
        try (ResultSet row = s.executeQuery()) {
            if (!row.next()) {
                return null;
            }
            double expiresAt = row.getDouble(8);
            long expiry = row.wasNull() ? 0 : JulianDay.toEpochMillis(expiresAt);
            return new StoredSession(
                    row.getString(1),
                    row.getLong(2),
                    row.getLong(3),
                    row.getLong(4),
                    row.getLong(5),
                    row.getLong(6),
                    row.getLong(7),
                    expiry,
                    row.getBytes(9),
                    row.getLong(10));
        }
    }

    /** True when the context holds the session and it has not expired at {@code now} (a Julian day). */
    boolean existsUnexpired(CachedConnection c, SessionScope scope, String id, double now) throws SQLException {
        PreparedStatement s = c.prepare(existsUnexpired);
        bindKey(s, 1, scope, id);
        s.setDouble(4, now);
        try (ResultSet row = s.executeQuery()) {
            return row.next();
        }
    }

    /** Writes every column, creating the row if it is missing. */
    void upsert(CachedConnection c, SessionScope scope, SessionData data, byte[] attributes) throws SQLException {
        PreparedStatement s = c.prepare(upsert);
        bindKey(s, 1, scope, data.getId());
        s.setString(4, data.getLastNode());
        s.setLong(5, data.getCreated());
        s.setLong(6, data.getAccessed());
        s.setLong(7, data.getLastAccessed());
        s.setLong(8, data.getCookieSet());
        s.setLong(9, data.getLastSaved());
        s.setLong(10, data.getMaxInactiveMs());
        bindExpiry(s, 11, data.getExpiry());
        s.setBytes(12, attributes);
        s.executeUpdate();
    }

    /**
     * Writes the metadata columns only, leaving the attribute blob and its version as they are; access times and
     * the expiry move forward only (see the statement).
     *
     * @return the number of rows changed: 0 means the session was deleted since it was loaded
     */
    int updateMetadata(CachedConnection c, SessionScope scope, SessionData data) throws SQLException {
        PreparedStatement s = c.prepare(updateMetadata);
        int next = bindMetadata(s, 1, data);
        bindKey(s, next, scope, data.getId());
        return s.executeUpdate();
    }

    /**
     * Writes the metadata and the attributes of an existing row, and moves its attributes' version on, provided the
     * row still holds the attributes' version {@code expected}; never creates a row.
     *
     * @return 1 when written; 0 when the row is gone or another write changed its attributes since
     */
    int updateAttributes(CachedConnection c, SessionScope scope, SessionData data, byte[] attributes, long expected)
            throws SQLException {
        PreparedStatement s = c.prepare(updateAttributes);
        int next = bindMetadata(s, 1, data);
        s.setBytes(next, attributes);
        bindKey(s, next + 1, scope, data.getId());
        s.setLong(next + 4, expected);
        return s.executeUpdate();
    }

    /**
     * As {@link #updateAttributes}, whatever the row's attributes' version: for session data whose loaded version
     * the store does not know.
     */
    int updateAttributesAnyVersion(CachedConnection c, SessionScope scope, SessionData data, byte[] attributes)
            throws SQLException {
        PreparedStatement s = c.prepare(updateAttributesAnyVersion);
        int next = bindMetadata(s, 1, data);
        s.setBytes(next, attributes);
        bindKey(s, next + 1, scope, data.getId());
        return s.executeUpdate();
    }

    /**
     * The attributes as stored now and their version, read inside the caller's write transaction so that nothing
     * changes them before it commits (on PostgreSQL the row is locked); null when the row is gone.
     */
    StoredAttributes currentAttributes(CachedConnection c, SessionScope scope, String id) throws SQLException {
        PreparedStatement s = c.prepare(currentAttributes);
        bindKey(s, 1, scope, id);
        try (ResultSet row = s.executeQuery()) {
            return row.next() ? new StoredAttributes(row.getLong(1), row.getBytes(2)) : null;
        }
    }

    /** A row's attributes column and the version it is at. */
    record StoredAttributes(long version, byte[] attributes) {}

    /**
     * Binds the metadata assignments both updates share, in their order: for each access-dependent column the
     * written access time (the condition) and the value, then the access time, cookie time and save time.
     *
     * @return the next parameter index
     */
    private static int bindMetadata(PreparedStatement s, int first, SessionData data) throws SQLException {
        int i = first;
        long accessed = data.getAccessed();
        s.setLong(i++, accessed);
        s.setString(i++, data.getLastNode());
        s.setLong(i++, accessed);
        s.setLong(i++, data.getLastAccessed());
        s.setLong(i++, accessed);
        s.setLong(i++, data.getMaxInactiveMs());
        s.setLong(i++, accessed);
        bindExpiry(s, i++, data.getExpiry());
        s.setLong(i++, accessed);
        s.setLong(i++, data.getCookieSet());
        s.setLong(i++, data.getLastSaved());
        return i;
    }

    int delete(CachedConnection c, SessionScope scope, String id) throws SQLException {
        PreparedStatement s = c.prepare(delete);
        bindKey(s, 1, scope, id);
        return s.executeUpdate();
    }

    /** Sessions of the context, last used by any node, whose expiry lies in (0, before]. */
    Set<String> expiredInContext(CachedConnection c, SessionScope scope, double before) throws SQLException {
        PreparedStatement s = c.prepare(expiredInContext);
        s.setDouble(1, before);
        s.setString(2, scope.contextPath());
        s.setString(3, scope.virtualHost());
        return ids(s);
    }

    /** Sessions of the context last used by {@code node} whose expiry lies in (0, before]. */
    Set<String> expiredOwnedBy(CachedConnection c, SessionScope scope, String node, double before) throws SQLException {
        PreparedStatement s = c.prepare(expiredOwnedBy);
        s.setDouble(1, before);
        s.setString(2, scope.contextPath());
        s.setString(3, scope.virtualHost());
        s.setString(4, node);
        return ids(s);
    }

    /** Of the candidates, those the context no longer holds or that have expired at {@code at}. */
    Set<String> absentOrExpired(CachedConnection c, SessionScope scope, Collection<String> candidates, double at)
            throws SQLException {
        PreparedStatement s = c.prepare(absentOrExpired);
        s.setString(1, JsonArray.of(candidates));
        s.setString(2, scope.contextPath());
        s.setString(3, scope.virtualHost());
        s.setDouble(4, at);
        return ids(s);
    }

    /**
     * Deletes at most {@code limit} sessions of any context whose expiry lies in (0, before]. Callers repeat it
     * until it returns fewer than {@code limit}, so no single transaction holds the write lock for long.
     */
    int deleteExpiredBatch(CachedConnection c, double before, int limit) throws SQLException {
        PreparedStatement s = c.prepare(deleteExpiredBatch);
        s.setDouble(1, before);
        s.setInt(2, limit);
        return s.executeUpdate();
    }

    long count(CachedConnection c) throws SQLException {
        return queryLong(c.prepare(countAll));
    }

    long countInScope(CachedConnection c, SessionScope scope) throws SQLException {
        PreparedStatement s = c.prepare(countInScope);
        s.setString(1, scope.contextPath());
        s.setString(2, scope.virtualHost());
        return queryLong(s);
    }

    /** Sessions of every context whose expiry lies in (0, at]: what the next purge would delete. */
    long countExpired(CachedConnection c, double at) throws SQLException {
        PreparedStatement s = c.prepare(countExpired);
        s.setDouble(1, at);
        return queryLong(s);
    }

    List<SessionDatabaseAdmin.ContextStats> statsByScope(CachedConnection c, double now) throws SQLException {
        PreparedStatement s = c.prepare(statsByScope);
        s.setDouble(1, now);
        return rows(
                s,
                r -> new SessionDatabaseAdmin.ContextStats(
                        r.getString(1),
                        r.getString(2),
                        r.getLong(3),
                        r.getLong(4),
                        r.getLong(5),
                        r.getLong(6),
                        r.getLong(7)));
    }

    /**
     * A page of sessions in key order.
     *
     * @param contextPath a canonical context path, or null for every context
     * @param expired true for expired sessions only, false for unexpired only, null for both
     */
    List<SessionDatabaseAdmin.SessionSummary> list(
            CachedConnection c, String contextPath, Boolean expired, double now, int offset, int limit)
            throws SQLException {
        PreparedStatement s = c.prepare(list);
        s.setString(1, contextPath);
        s.setString(2, contextPath);
        for (int index : new int[] {3, 5}) {
            if (expired == null) {
                s.setNull(index, java.sql.Types.INTEGER);
            } else {
                s.setInt(index, expired ? 1 : 0);
            }
        }
        s.setDouble(4, now);
        s.setInt(6, limit);
        s.setInt(7, offset);
        return rows(s, SessionTable::summary);
    }

    /** Every context's session with this id, with its stored attribute bytes. */
    List<SessionDatabaseAdmin.SessionDetail> findById(CachedConnection c, String id) throws SQLException {
        PreparedStatement s = c.prepare(findById);
        s.setString(1, id);
        return rows(
                s,
                r -> new SessionDatabaseAdmin.SessionDetail(
                        summary(r), r.getLong(9), r.getLong(10), r.getLong(11), r.getLong(12), r.getBytes(13)));
    }

    /** Deletes at most {@code limit} sessions of any context, expired or not. */
    int deleteAllBatch(CachedConnection c, int limit) throws SQLException {
        PreparedStatement s = c.prepare(deleteAllBatch);
        s.setInt(1, limit);
        return s.executeUpdate();
    }

    /** Sessions of every context that have not expired at {@code now}: what a migration copies. */
    long countLive(CachedConnection c, double now) throws SQLException {
        PreparedStatement s = c.prepare(countLive);
        s.setDouble(1, now);
        return queryLong(s);
    }

    /**
     * Up to {@code limit} unexpired rows whose key follows the given one, in key order; the empty key ("", "", "")
     * starts at the beginning.
     */
    List<SessionRow> liveRowsAfter(
            CachedConnection c, String contextPath, String virtualHost, String id, double now, int limit)
            throws SQLException {
        PreparedStatement s = c.prepare(liveRowsAfter);
        s.setString(1, contextPath);
        s.setString(2, virtualHost);
        s.setString(3, id);
        s.setDouble(4, now);
        s.setInt(5, limit);
        return rows(s, r -> {
            double expiresAt = r.getDouble(11);
            Double expiry = r.wasNull() ? null : expiresAt;
            return new SessionRow(
                    r.getString(1),
                    r.getString(2),
                    r.getString(3),
                    r.getString(4),
                    r.getLong(5),
                    r.getLong(6),
                    r.getLong(7),
                    r.getLong(8),
                    r.getLong(9),
                    r.getLong(10),
                    expiry,
                    r.getBytes(12));
        });
    }

    /** What copying one row into this table did. */
    enum CopyOutcome {
        /** Written: new here, or newer than the save here. */
        COPIED,
        /** This table already holds this very save. */
        UNCHANGED,
        /** This table holds a later save, which is kept. */
        KEPT_NEWER,
        /** A previous copy put it here and it has been deleted here since; it stays deleted. */
        DELETED_HERE
    }

    /** Creates the migration ledger when missing; run on a target before copying into it. */
    void ensureLedger(CachedConnection c) throws SQLException {
        c.execute(createLedger);
    }

    /**
     * Writes a row copied from another database unless this one holds the same or a later save of it, or held it
     * and has deleted it since. Run inside one write transaction with the rest of its batch.
     */
    CopyOutcome copyIn(CachedConnection c, SessionRow row) throws SQLException {
        PreparedStatement saved = c.prepare(lastSavedOf);
        bindKey(saved, 1, row);
        Long lastSavedHere;
        try (ResultSet r = saved.executeQuery()) {
            lastSavedHere = r.next() ? r.getLong(1) : null;
        }
        if (lastSavedHere == null) {
            if (copiedBefore(c, row)) {
                return CopyOutcome.DELETED_HERE;
            }
            PreparedStatement insert = c.prepare(copyInsert);
            bindKey(insert, 1, row);
            bindCopiedColumns(insert, 4, row);
            insert.executeUpdate();
        } else if (lastSavedHere < row.lastSaved()) {
            PreparedStatement update = c.prepare(copyUpdate);
            bindCopiedColumns(update, 1, row);
            bindKey(update, 10, row);
            update.setLong(13, row.lastSaved());
            update.executeUpdate();
        } else if (lastSavedHere > row.lastSaved()) {
            return CopyOutcome.KEPT_NEWER;
        }
        // Recorded for an unchanged row too: a target filled by a version without the ledger learns it now.
        PreparedStatement record = c.prepare(recordInLedger);
        record.setString(1, name);
        record.setString(2, row.contextPath());
        record.setString(3, row.virtualHost());
        record.setString(4, row.id());
        record.setLong(5, row.created());
        record.executeUpdate();
        return lastSavedHere != null && lastSavedHere == row.lastSaved() ? CopyOutcome.UNCHANGED : CopyOutcome.COPIED;
    }

    /** True when the ledger holds this very session (the same id, created at the same time) as copied before. */
    private boolean copiedBefore(CachedConnection c, SessionRow row) throws SQLException {
        PreparedStatement s = c.prepare(ledgerCreated);
        s.setString(1, name);
        s.setString(2, row.contextPath());
        s.setString(3, row.virtualHost());
        s.setString(4, row.id());
        try (ResultSet r = s.executeQuery()) {
            return r.next() && r.getLong(1) == row.created();
        }
    }

    /** Binds every column but the key, in table order, from {@code first} on. */
    private static void bindCopiedColumns(PreparedStatement s, int first, SessionRow row) throws SQLException {
        s.setString(first, row.lastNode());
        s.setLong(first + 1, row.created());
        s.setLong(first + 2, row.accessed());
        s.setLong(first + 3, row.lastAccessed());
        s.setLong(first + 4, row.cookieSet());
        s.setLong(first + 5, row.lastSaved());
        s.setLong(first + 6, row.maxInactiveMs());
        if (row.expiresAt() == null) {
            s.setNull(first + 7, java.sql.Types.DOUBLE);
        } else {
            s.setDouble(first + 7, row.expiresAt());
        }
        s.setBytes(first + 8, row.attributes());
    }

    private static void bindKey(PreparedStatement s, int first, SessionRow row) throws SQLException {
        s.setString(first, row.id());
        s.setString(first + 1, row.contextPath());
        s.setString(first + 2, row.virtualHost());
    }

    private static SessionDatabaseAdmin.SessionSummary summary(ResultSet r) throws SQLException {
        double expiresAt = r.getDouble(7);
        long expiry = r.wasNull() ? 0 : JulianDay.toEpochMillis(expiresAt);
        return new SessionDatabaseAdmin.SessionSummary(
                r.getString(1),
                r.getString(2),
                r.getString(3),
                r.getString(4),
                r.getLong(5),
                r.getLong(6),
                expiry,
                r.getLong(8));
    }

    /** Reads one value from the current row of a result. */
    @FunctionalInterface
    private interface RowReader<T> {
        T read(ResultSet row) throws SQLException;
    }

    private static <T> List<T> rows(PreparedStatement s, RowReader<T> reader) throws SQLException {
        List<T> rows = new ArrayList<>();
        try (ResultSet r = s.executeQuery()) {
            while (r.next()) {
                rows.add(reader.read(r));
            }
        }
        return rows;
    }

    private static long queryLong(PreparedStatement s) throws SQLException {
        try (ResultSet r = s.executeQuery()) {
            return r.next() ? r.getLong(1) : 0;
        }
    }

    /** The exact SQL of the statements whose query plans the tests pin. */
    String expiredInContextSql() {
        return expiredInContext;
    }

    String expiredOwnedBySql() {
        return expiredOwnedBy;
    }

    String deleteExpiredBatchSql() {
        return deleteExpiredBatch;
    }

    private static void bindKey(PreparedStatement s, int first, SessionScope scope, String id) throws SQLException {
        s.setString(first, id);
        s.setString(first + 1, scope.contextPath());
        s.setString(first + 2, scope.virtualHost());
    }

    /** Jetty's expiry of zero or less means "never"; the table says that with NULL, which the index leaves out. */
    private static void bindExpiry(PreparedStatement s, int index, long expiry) throws SQLException {
        if (expiry <= 0) {
            s.setNull(index, java.sql.Types.DOUBLE);
        } else {
            s.setDouble(index, JulianDay.fromEpochMillis(expiry));
        }
    }

    private static Set<String> ids(PreparedStatement s) throws SQLException {
        Set<String> ids = new HashSet<>();
        try (ResultSet rows = s.executeQuery()) {
            while (rows.next()) {
                ids.add(rows.getString(1));
            }
        }
        return ids;
    }

    private static int queryInt(CachedConnection c, String sql) throws SQLException {
        try (ResultSet row = c.prepare(sql).executeQuery()) {
            return row.next() ? row.getInt(1) : 0;
        }
    }
}
