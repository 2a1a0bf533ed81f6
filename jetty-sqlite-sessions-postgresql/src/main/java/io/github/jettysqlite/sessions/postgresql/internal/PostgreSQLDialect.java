package io.github.jettysqlite.sessions.postgresql.internal;

import io.github.jettysqlite.sessions.internal.table.SessionSchema;
import io.github.jettysqlite.sessions.internal.table.SessionTable;
import io.github.jettysqlite.sessions.internal.table.SqlDialect;

/** PostgreSQL's spelling of the statements, and its schema. */
public final class PostgreSQLDialect extends SqlDialect {
    public static final PostgreSQLDialect INSTANCE = new PostgreSQLDialect();

    /** PostgreSQL truncates identifiers past 63 bytes; the longest derived name is the table's plus "_expiry". */
    private static final int MAX_TABLE_NAME = 63 - "_expiry".length();

    // The primary key, not ctid: servers that speak PostgreSQL's protocol without its storage (CockroachDB, YugabyteDB,
    // Aurora's variants) have no ctid, and a batch of deletes by key costs the same index lookups.
    private PostgreSQLDialect() {
        super("BIGINT", "DOUBLE PRECISION", "BYTEA", "(context_path, virtual_host, session_id)", "GREATEST", "LEAST");
    }

    @Override
    public SessionSchema schema(SessionTable table) {
        return new PostgreSQLSchema(table);
    }

    @Override
    public void checkTableName(String name) {
        if (name.length() > MAX_TABLE_NAME) {
            throw new IllegalArgumentException("table name must be at most " + MAX_TABLE_NAME
                    + " characters on PostgreSQL, which cuts longer index names short: '" + name + "'");
        }
    }

    @Override
    public String pinnedTo(String index) {
        // PostgreSQL has no index hints; its planner picks the partial index for the range on its own (the
        // query-plan test checks that with EXPLAIN).
        return "";
    }

    @Override
    public String jsonArrayElements(String parameter, String alias) {
        return "json_array_elements_text(CAST(" + parameter + " AS json)) AS " + alias + "(value)";
    }

    @Override
    public String lockingTheRowsRead() {
        return " FOR UPDATE";
    }

    @Override
    public String leadingBytes(String column, int count) {
        return "substring(" + column + " from 1 for " + count + ")";
    }
}
