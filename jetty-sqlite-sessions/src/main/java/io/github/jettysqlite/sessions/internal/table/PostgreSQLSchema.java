package io.github.jettysqlite.sessions.internal.table;

import static io.github.jettysqlite.sessions.internal.table.SessionTable.SCHEMA_VERSION;

import io.github.jettysqlite.sessions.internal.CachedConnection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.HashSet;
import java.util.Locale;
import java.util.Set;

/**
 * The session table on a PostgreSQL server, which holds many schemas and applications: the layout version is kept
 * per table, in a table of its own. Layout version 1 never existed there.
 */
final class PostgreSQLSchema extends SessionSchema {
    /** The table recording each session table's layout version. */
    static final String VERSION_TABLE = "jetty_session_schema";

    /** Any fixed number will do: it only has to differ from the advisory locks other applications take. */
    private static final long SCHEMA_LOCK_KEY = 0x6a657474795f7373L;

    private final String createVersionTable =
            "CREATE TABLE IF NOT EXISTS " + VERSION_TABLE + " (table_name TEXT PRIMARY KEY, version INTEGER NOT NULL)";
    private final String readVersion = "SELECT version FROM " + VERSION_TABLE + " WHERE table_name = ?";
    private final String recordVersion = "INSERT INTO " + VERSION_TABLE + " (table_name, version) VALUES (?, ?)"
            + " ON CONFLICT (table_name) DO UPDATE SET version = excluded.version";

    PostgreSQLSchema(SessionTable table) {
        super(table);
    }

    @Override
    public void ensure(CachedConnection c) throws SQLException {
        // Nodes starting together would race on CREATE TABLE IF NOT EXISTS, which PostgreSQL does not make atomic
        // (the loser fails on a catalog unique index); a lock held until this transaction ends lines them up.
        PreparedStatement lock = c.prepare("SELECT pg_advisory_xact_lock(?)");
        lock.setLong(1, SCHEMA_LOCK_KEY);
        lock.executeQuery().close();
        c.execute(createVersionTable);
        int version = version(c);
        if (version > SCHEMA_VERSION) {
            throw newerVersion(version);
        }
        c.execute(createTable);
        refuseForeignTable(c);
        addVersionColumnIfMissing(c, table.name(), addVersionColumn);
        addVersion4ColumnsIfMissing(c);
        c.execute(createExpiryIndex);
        c.execute(createPrincipalIndex);
        if (version < SCHEMA_VERSION) {
            PreparedStatement record = c.prepare(recordVersion);
            record.setString(1, versionKey());
            record.setInt(2, SCHEMA_VERSION);
            record.executeUpdate();
        }
    }

    @Override
    public int version(CachedConnection c) throws SQLException {
        PreparedStatement s = c.prepare(readVersion);
        s.setString(1, versionKey());
        try (ResultSet row = s.executeQuery()) {
            return row.next() ? row.getInt(1) : 0;
        }
    }

    @Override
    protected Set<String> columnsOf(CachedConnection c, String tableName) throws SQLException {
        PreparedStatement columns = c.prepare("SELECT column_name FROM information_schema.columns"
                + " WHERE table_schema = current_schema() AND table_name = ?");
        columns.setString(1, tableName.toLowerCase(Locale.ROOT));
        Set<String> present = new HashSet<>();
        try (ResultSet rows = columns.executeQuery()) {
            while (rows.next()) {
                present.add(rows.getString(1));
            }
        }
        return present;
    }

    /** PostgreSQL folds unquoted identifiers to lower case, so that is how its catalogs spell the table. */
    private String versionKey() {
        return table.name().toLowerCase(Locale.ROOT);
    }
}
