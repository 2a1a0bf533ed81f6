package io.github.jettysqlite.sessions.internal.table;

import static io.github.jettysqlite.sessions.internal.table.SessionTable.SCHEMA_VERSION;

import io.github.jettysqlite.sessions.internal.CachedConnection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * The session table in an SQLite file. The layout version lives in {@code PRAGMA user_version}, which covers the
 * whole file, so an upgrade brings every session table in the file along.
 */
final class SQLiteSchema extends SessionSchema {
    private final String copyFromVersion1;

    SQLiteSchema(SessionTable table) {
        super(table);
        String columns = String.join(", ", SessionTable.COLUMNS);
        copyFromVersion1 = "INSERT INTO " + table.name() + " (" + columns + ") SELECT " + columns + " FROM "
                + table.name() + "_v1";
    }

    @Override
    protected Changes changes(CachedConnection c) throws SQLException {
        int version = version(c);
        if (version > SCHEMA_VERSION) {
            throw newerVersion(version);
        }
        List<String> statements = new ArrayList<>();
        if (version >= 1 && version < SCHEMA_VERSION) {
            for (String other : sessionTables(c)) {
                if (!other.equalsIgnoreCase(table.name())) {
                    SQLiteSchema schema = new SQLiteSchema(new SessionTable(other, SqlDialect.SQLITE));
                    statements.addAll(schema.tableChanges(version, schema.found(c)));
                }
            }
        }
        Found found = found(c);
        statements.addAll(tableChanges(version, found));
        if (version < SCHEMA_VERSION) {
            statements.addAll(versionRecord());
        }
        return new Changes(version, found.exists(), statements);
    }

    @Override
    protected List<String> versionRecord() {
        return List.of("PRAGMA user_version = " + SCHEMA_VERSION);
    }

    @Override
    protected String engine() {
        return "SQLite";
    }

    @Override
    protected String scriptNotes() {
        return "-- On a new file, run PRAGMA auto_vacuum = INCREMENTAL; first, as a store does on a file it creates:"
                + " it only\n"
                + "-- takes effect before the first table, and lets the store give the pages of deleted sessions"
                + " back.\n";
    }

    /**
     * Version 1 to 2: the primary key changed order, which SQLite can only do by rebuilding the table. The rows are
     * copied unchanged inside the caller's transaction, so a failure leaves version 1 intact; the rebuilt table has
     * every later column already.
     */
    @Override
    protected List<String> tableChanges(int version, Found found) throws SchemaException {
        if (version != 1 || !found.exists()) {
            return super.tableChanges(version, found);
        }
        return List.of(
                "ALTER TABLE " + table.name() + " RENAME TO " + table.name() + "_v1",
                createTable,
                copyFromVersion1,
                "DROP TABLE " + table.name() + "_v1",
                createExpiryIndex,
                createPrincipalIndex);
    }

    @Override
    public int version(CachedConnection c) throws SQLException {
        try (ResultSet row = c.prepare("PRAGMA user_version").executeQuery()) {
            return row.next() ? row.getInt(1) : 0;
        }
    }

    /** Table names reach this query only after matching the name pattern, so splicing them in is safe. */
    @Override
    protected Set<String> columnsOf(CachedConnection c, String tableName) throws SQLException {
        return names(c, "SELECT name FROM pragma_table_info('" + tableName + "')");
    }

    /** As {@link #columnsOf}: only names that match the pattern are spliced in. */
    @Override
    protected Set<String> indexesOf(CachedConnection c, String tableName) throws SQLException {
        return names(c, "SELECT lower(name) FROM pragma_index_list('" + tableName + "')");
    }

    private static Set<String> names(CachedConnection c, String query) throws SQLException {
        Set<String> names = new HashSet<>();
        try (ResultSet rows = c.prepare(query).executeQuery()) {
            while (rows.next()) {
                names.add(rows.getString(1));
            }
        }
        return names;
    }

    /** The tables in the file that have every column of a session table, whatever their name. */
    private List<String> sessionTables(CachedConnection c) throws SQLException {
        List<String> tables = new ArrayList<>();
        PreparedStatement all = c.prepare(
                "SELECT name FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\'");
        try (ResultSet rows = all.executeQuery()) {
            while (rows.next()) {
                tables.add(rows.getString(1));
            }
        }
        List<String> sessionTables = new ArrayList<>();
        for (String candidate : tables) {
            if (SessionTable.VALID_NAME.matcher(candidate).matches()
                    && missingColumns(c, candidate).isEmpty()) {
                sessionTables.add(candidate);
            }
        }
        return sessionTables;
    }
}
