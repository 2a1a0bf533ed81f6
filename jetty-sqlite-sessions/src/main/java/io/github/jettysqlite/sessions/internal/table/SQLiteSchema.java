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
    public void ensure(CachedConnection c) throws SQLException {
        int version = version(c);
        if (version > SCHEMA_VERSION) {
            throw newerVersion(version);
        }
        if (version >= 1 && version < SCHEMA_VERSION) {
            for (String other : sessionTables(c)) {
                SQLiteSchema schema = new SQLiteSchema(new SessionTable(other, SqlDialect.SQLITE));
                if (version == 1) {
                    schema.rebuildFromVersion1(c);
                }
                schema.addVersionColumnIfMissing(c, other, schema.addVersionColumn);
                schema.addVersion4ColumnsIfMissing(c);
                c.execute(schema.createPrincipalIndex);
            }
        }
        c.execute(createTable);
        refuseForeignTable(c);
        addVersionColumnIfMissing(c, table.name(), addVersionColumn);
        addVersion4ColumnsIfMissing(c);
        c.execute(createExpiryIndex);
        c.execute(createPrincipalIndex);
        if (version < SCHEMA_VERSION) {
            c.execute("PRAGMA user_version = " + SCHEMA_VERSION);
        }
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
        Set<String> present = new HashSet<>();
        try (ResultSet rows = c.prepare("SELECT name FROM pragma_table_info('" + tableName + "')")
                .executeQuery()) {
            while (rows.next()) {
                present.add(rows.getString(1));
            }
        }
        return present;
    }

    /**
     * Version 1 to 2: the primary key changed order, which SQLite can only do by rebuilding the table. The rows
     * are copied unchanged inside the caller's transaction, so a failure leaves version 1 intact.
     */
    private void rebuildFromVersion1(CachedConnection c) throws SQLException {
        c.execute("ALTER TABLE " + table.name() + " RENAME TO " + table.name() + "_v1");
        c.execute(createTable);
        c.execute(copyFromVersion1);
        c.execute("DROP TABLE " + table.name() + "_v1");
        c.execute(createExpiryIndex);
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
