package io.github.jettysqlite.sessions.internal.table;

import static io.github.jettysqlite.sessions.internal.table.SessionTable.PRINCIPAL_COLUMN;
import static io.github.jettysqlite.sessions.internal.table.SessionTable.SCHEMA_VERSION;
import static io.github.jettysqlite.sessions.internal.table.SessionTable.SEALED_ID_COLUMN;
import static io.github.jettysqlite.sessions.internal.table.SessionTable.VERSION_COLUMN;

import io.github.jettysqlite.sessions.internal.CachedConnection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * A session table's DDL, layout version and upgrades on one engine. {@link #ensure} is what a store runs when it
 * starts; {@link #requireReadable} and {@link #requireCurrent} are what tools run, and change nothing.
 */
public abstract class SessionSchema {
    protected final SessionTable table;
    protected final String createTable;
    protected final String createExpiryIndex;
    protected final String addVersionColumn;
    protected final String addPrincipalColumn;
    protected final String addSealedIdColumn;
    protected final String createPrincipalIndex;

    protected SessionSchema(SessionTable table) {
        this.table = table;
        String name = table.name();
        SqlDialect dialect = table.dialect();
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
                + PRINCIPAL_COLUMN + " TEXT, "
                + SEALED_ID_COLUMN + " TEXT, "
                + "PRIMARY KEY (context_path, virtual_host, session_id))";
        createExpiryIndex = "CREATE INDEX IF NOT EXISTS " + table.expiryIndex() + " ON " + name
                + " (expires_at, context_path, virtual_host) WHERE expires_at IS NOT NULL";
        addVersionColumn =
                "ALTER TABLE " + name + " ADD COLUMN " + VERSION_COLUMN + " " + millis + " NOT NULL DEFAULT 0";
        addPrincipalColumn = "ALTER TABLE " + name + " ADD COLUMN " + PRINCIPAL_COLUMN + " TEXT";
        addSealedIdColumn = "ALTER TABLE " + name + " ADD COLUMN " + SEALED_ID_COLUMN + " TEXT";
        // Only sessions someone logged in to are indexed; the context columns follow so that one context's sessions
        // of a user are found inside the index.
        createPrincipalIndex = "CREATE INDEX IF NOT EXISTS " + table.principalIndex() + " ON " + name + " ("
                + PRINCIPAL_COLUMN + ", context_path, virtual_host) WHERE " + PRINCIPAL_COLUMN + " IS NOT NULL";
    }

    public String tableName() {
        return table.name();
    }

    /** The schema of this table on its engine. */
    public static SessionSchema of(SessionTable table) {
        return table.dialect() == SqlDialect.SQLITE ? new SQLiteSchema(table) : new PostgreSQLSchema(table);
    }

    /**
     * Inside one write transaction: refuses a newer layout, upgrades an older one in place, creates the table and
     * its index when missing, refuses a same-named table that is not a session table, and records the version.
     */
    public abstract void ensure(CachedConnection c) throws SQLException;

    /** The table's layout version, 0 when none is recorded. */
    public abstract int version(CachedConnection c) throws SQLException;

    /** The names of a table's columns, none when it does not exist. */
    protected abstract Set<String> columnsOf(CachedConnection c, String tableName) throws SQLException;

    /**
     * Checks, without changing anything, that this table exists with every column of a session table, at any
     * layout version this library can read.
     *
     * @throws SchemaException when it is missing, foreign, or newer than this library
     */
    public void requireReadable(CachedConnection c) throws SQLException {
        List<String> missing = missingColumns(c, table.name());
        if (missing.size() == SessionTable.COLUMNS.size()) {
            throw new SchemaException("has no table named '" + table.name() + "'");
        }
        if (!missing.isEmpty()) {
            throw new SchemaException("has a table named '" + table.name()
                    + "' that is not a session table of this library (missing columns " + missing + ")");
        }
        int version = version(c);
        if (version > SCHEMA_VERSION) {
            throw newerVersion(version);
        }
    }

    /**
     * As {@link #requireReadable}, and the table must be at this library's layout version: tools that write never
     * upgrade a schema behind an operator's back.
     */
    public void requireCurrent(CachedConnection c) throws SQLException {
        requireReadable(c);
        int version = version(c);
        if (version < SCHEMA_VERSION) {
            throw new SchemaException("holds table '" + table.name() + "' in schema version " + version + "; this"
                    + " version of jetty-sqlite-sessions writes version " + SCHEMA_VERSION + " and upgrades only when"
                    + " asked: start a server with it, or run the command line's upgrade-schema");
        }
    }

    protected SchemaException newerVersion(int version) {
        return new SchemaException("holds table '" + table.name() + "' written by a newer version of"
                + " jetty-sqlite-sessions (schema version " + version + "); this version understands schema version "
                + SCHEMA_VERSION + " at most. Upgrade jetty-sqlite-sessions or use another table.");
    }

    /** After {@code CREATE TABLE IF NOT EXISTS}: a same-named table without our columns is someone else's. */
    protected void refuseForeignTable(CachedConnection c) throws SQLException {
        List<String> missing = missingColumns(c, table.name());
        if (!missing.isEmpty()) {
            throw new SchemaException("already has a table named '" + table.name()
                    + "' that is not a session table of this library (missing columns " + missing
                    + "). Choose another table name.");
        }
    }

    /**
     * Version 2 to 3: the attributes' version column, added in place (no row is rewritten; existing rows read 0).
     * A table created by this version already has it.
     */
    protected void addVersionColumnIfMissing(CachedConnection c, String tableName, String addColumn)
            throws SQLException {
        if (!columnsOf(c, tableName).contains(VERSION_COLUMN)) {
            c.execute(addColumn);
        }
    }

    /**
     * Version 3 to 4: the principal and sealed-id columns, added in place (existing rows read NULL: no principal yet,
     * a plain id), with the principal's index created by the caller. A table created by this version has them.
     */
    protected void addVersion4ColumnsIfMissing(CachedConnection c) throws SQLException {
        Set<String> present = columnsOf(c, table.name());
        if (!present.contains(PRINCIPAL_COLUMN)) {
            c.execute(addPrincipalColumn);
        }
        if (!present.contains(SEALED_ID_COLUMN)) {
            c.execute(addSealedIdColumn);
        }
    }

    protected List<String> missingColumns(CachedConnection c, String tableName) throws SQLException {
        Set<String> present = columnsOf(c, tableName);
        List<String> missing = new ArrayList<>();
        for (String column : SessionTable.COLUMNS) {
            if (!present.contains(column)) {
                missing.add(column);
            }
        }
        return missing;
    }
}
