package io.github.jettysqlite.sessions.internal.table;

import static io.github.jettysqlite.sessions.internal.table.SessionTable.PRINCIPAL_COLUMN;
import static io.github.jettysqlite.sessions.internal.table.SessionTable.SCHEMA_VERSION;
import static io.github.jettysqlite.sessions.internal.table.SessionTable.SEALED_ID_COLUMN;
import static io.github.jettysqlite.sessions.internal.table.SessionTable.VERSION_COLUMN;

import io.github.jettysqlite.sessions.internal.CachedConnection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * A session table's DDL, layout version and upgrades on one engine. {@link #ensure} is what a store runs when it
 * starts, and {@link #requireAsCreated} what it runs instead when someone else keeps the schema: both read first what
 * the database holds and work out the statements that would bring the table to this layout, the one to run them, the
 * other to name them. {@link #requireReadable} and {@link #requireCurrent} are what tools run, and change nothing.
 */
public abstract class SessionSchema {
    protected final SessionTable table;
    protected final String createTable;
    protected final String createExpiryIndex;
    protected final String addVersionColumn;
    protected final String addPrincipalColumn;
    protected final String addSealedIdColumn;
    protected final String createPrincipalIndex;
    /** The table and its indexes, as a database that holds none gets them. */
    private final List<String> tableCreation;

    protected SessionSchema(SessionTable table) {
        this.table = table;
        String name = table.name();
        SqlDialect dialect = table.dialect();
        String millis = dialect.millisType;
        // One column to a line: the shipped scripts and the messages of schemaMode validate show this statement.
        createTable = "CREATE TABLE IF NOT EXISTS " + name + " (\n    "
                + String.join(
                        ",\n    ",
                        "session_id TEXT NOT NULL",
                        "context_path TEXT NOT NULL",
                        "virtual_host TEXT NOT NULL",
                        "last_node TEXT",
                        "created_ms " + millis + " NOT NULL",
                        "accessed_ms " + millis + " NOT NULL",
                        "last_accessed_ms " + millis + " NOT NULL",
                        "cookie_set_ms " + millis + " NOT NULL",
                        "last_saved_ms " + millis + " NOT NULL",
                        "max_inactive_ms " + millis + " NOT NULL",
                        "expires_at " + dialect.julianDayType,
                        VERSION_COLUMN + " " + millis + " NOT NULL DEFAULT 0",
                        "attributes " + dialect.bytesType + " NOT NULL",
                        PRINCIPAL_COLUMN + " TEXT",
                        SEALED_ID_COLUMN + " TEXT",
                        "PRIMARY KEY (context_path, virtual_host, session_id)")
                + "\n)";
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
        tableCreation = List.of(createTable, createExpiryIndex, createPrincipalIndex);
    }

    public String tableName() {
        return table.name();
    }

    /** The schema of this table on its engine, which its dialect brings. */
    public static SessionSchema of(SessionTable table) {
        return table.dialect().schema(table);
    }

    /**
     * Inside one write transaction: refuses a newer layout, upgrades an older one in place, creates the table and
     * its indexes when missing, refuses a same-named table that is not a session table, and records the version.
     */
    public void ensure(CachedConnection c) throws SQLException {
        // A table already as it should be needs neither DDL nor the lock (which some servers speaking PostgreSQL's
        // protocol do not offer); otherwise the changes are worked out again once the lock is held.
        if (changes(c).statements().isEmpty()) {
            return;
        }
        lockOutOtherNodes(c);
        apply(c, changes(c).statements());
    }

    /** Runs the statements that bring the table to this layout, in the caller's transaction. */
    protected void apply(CachedConnection c, List<String> statements) throws SQLException {
        for (String statement : statements) {
            c.execute(statement);
        }
    }

    /**
     * Checks, without changing anything, that this table is as {@link #ensure} would leave it: what a store whose
     * schema someone else keeps runs as it starts.
     *
     * @throws SchemaException when it is missing, older, incomplete, foreign or newer, with the statements that
     *     would put it right when there are any
     */
    public void requireAsCreated(CachedConnection c) throws SQLException {
        Changes changes = changes(c);
        if (changes.statements().isEmpty()) {
            return;
        }
        String found;
        if (!changes.tableFound()) {
            found = "has no table named '" + table.name() + "'";
        } else if (changes.version() < SCHEMA_VERSION) {
            found = "holds table '" + table.name() + "' in schema version " + changes.version() + ", and this version"
                    + " of jetty-sqlite-sessions needs version " + SCHEMA_VERSION;
        } else {
            found = "holds table '" + table.name() + "' without all of schema version " + SCHEMA_VERSION
                    + "'s columns and indexes";
        }
        throw new SchemaException(found + "; with schemaMode validate the store changes no schema. Have these"
                + " statements run, in one transaction, then start again:\n" + script(changes.statements()));
    }

    /**
     * The statements that create this table in a database holding none, and record its layout version: the script
     * this library ships for its default table name, and what {@link #ensure} runs on such a database.
     */
    public String creationScript() {
        return "-- The session table of jetty-sqlite-sessions on " + engine() + ", layout version " + SCHEMA_VERSION
                + ", named " + table.name() + ".\n"
                + "-- Another name: replace " + table.name() + " throughout. A store with schemaMode=validate accepts"
                + " the table\n"
                + "-- this creates; with schemaMode=create (the default) a store creates it itself.\n"
                + scriptNotes()
                + script(creation());
    }

    /** Statements as a script, each ending with a semicolon and a line break. */
    static String script(List<String> statements) {
        StringBuilder script = new StringBuilder();
        for (String statement : statements) {
            script.append(statement).append(";\n");
        }
        return script.toString();
    }

    /** What the database holds of this table and its version, and the statements that bring it to this layout. */
    public record Changes(int version, boolean tableFound, List<String> statements) {}

    /** What a database holds of one session table, read before anything changes it. */
    public record Found(Set<String> columns, Set<String> indexes) {
        public boolean exists() {
            return !columns.isEmpty();
        }
    }

    /** Reads what the database holds and says what would bring this table to this layout; changes nothing. */
    protected abstract Changes changes(CachedConnection c) throws SQLException;

    /** The statements that record this library's layout version for this table, in the engine's place for it. */
    protected abstract List<String> versionRecord();

    /** The statements that create this table in a database that holds no session table and no version. */
    List<String> creation() {
        List<String> statements = new ArrayList<>(tableCreation);
        statements.addAll(versionRecord());
        return statements;
    }

    /** The engine as the script names it. */
    protected abstract String engine();

    /** Comment lines the engine's script starts with, after the common ones. */
    protected String scriptNotes() {
        return "";
    }

    /** Makes nodes starting together take turns at changing the schema, where the transaction alone does not. */
    protected void lockOutOtherNodes(CachedConnection c) throws SQLException {}

    /**
     * Whether the table has the columns layout 4 added (the principal, the sealed id), whatever version is recorded: a
     * table a DBA keeps ({@code schemaMode=none}) may carry no version record at all.
     */
    public boolean hasVersion4Columns(CachedConnection c) throws SQLException {
        Set<String> present = columnsOf(c, table.name());
        return present.contains(SessionTable.PRINCIPAL_COLUMN) && present.contains(SessionTable.SEALED_ID_COLUMN);
    }

    /** The names of a table's indexes, in lower case; none when it does not exist. */
    protected abstract Set<String> indexesOf(CachedConnection c, String tableName) throws SQLException;

    /** This table as the database holds it now. */
    protected Found found(CachedConnection c) throws SQLException {
        return new Found(columnsOf(c, table.name()), indexesOf(c, table.name()));
    }

    /**
     * The statements that bring this one table, found so at the given layout version, to this layout: all of it
     * when missing, the later columns added in place (no row is rewritten; existing rows read 0 and NULL) and any
     * missing index when older.
     *
     * @throws SchemaException when a same-named table without our columns is someone else's
     */
    protected List<String> tableChanges(int version, Found found) throws SchemaException {
        if (!found.exists()) {
            return tableCreation;
        }
        refuseForeignTable(found.columns());
        List<String> changes = new ArrayList<>();
        if (!found.columns().contains(VERSION_COLUMN)) {
            changes.add(addVersionColumn);
        }
        if (!found.columns().contains(PRINCIPAL_COLUMN)) {
            changes.add(addPrincipalColumn);
        }
        if (!found.columns().contains(SEALED_ID_COLUMN)) {
            changes.add(addSealedIdColumn);
        }
        if (!found.indexes().contains(table.expiryIndex().toLowerCase(Locale.ROOT))) {
            changes.add(createExpiryIndex);
        }
        if (!found.indexes().contains(table.principalIndex().toLowerCase(Locale.ROOT))) {
            changes.add(createPrincipalIndex);
        }
        return changes;
    }

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

    /** A same-named table without our columns is someone else's. */
    private void refuseForeignTable(Set<String> present) throws SchemaException {
        List<String> missing = missingOf(present);
        if (!missing.isEmpty()) {
            throw new SchemaException("already has a table named '" + table.name()
                    + "' that is not a session table of this library (missing columns " + missing
                    + "). Choose another table name.");
        }
    }

    protected List<String> missingColumns(CachedConnection c, String tableName) throws SQLException {
        return missingOf(columnsOf(c, tableName));
    }

    private static List<String> missingOf(Set<String> present) {
        List<String> missing = new ArrayList<>();
        for (String column : SessionTable.COLUMNS) {
            if (!present.contains(column)) {
                missing.add(column);
            }
        }
        return missing;
    }
}
