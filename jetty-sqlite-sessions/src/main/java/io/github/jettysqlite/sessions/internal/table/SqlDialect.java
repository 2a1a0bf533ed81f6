package io.github.jettysqlite.sessions.internal.table;

/**
 * The few places where SQLite and PostgreSQL spell the same statement differently. The statements are built from
 * these pieces, so the two engines share one table layout and one list of statements.
 */
public enum SqlDialect {
    SQLITE("INTEGER", "REAL", "BLOB", "rowid") {
        @Override
        public String pinnedTo(String index) {
            // Without statistics SQLite may prefer the primary key's context prefix; INDEXED BY also makes it fail
            // rather than scan should the index become unusable.
            return " INDEXED BY " + index;
        }

        @Override
        public String jsonArrayElements(String parameter, String alias) {
            return "json_each(" + parameter + ") AS " + alias;
        }

        @Override
        public String greatest(String a, String b) {
            return "max(" + a + ", " + b + ")";
        }

        @Override
        public String least(String a, String b) {
            return "min(" + a + ", " + b + ")";
        }

        @Override
        public String lockingTheRowsRead() {
            // The group-commit writer's BEGIN IMMEDIATE already holds the file's write lock.
            return "";
        }

        @Override
        public String leadingBytes(String column, int count) {
            return "substr(" + column + ", 1, " + count + ")";
        }
    },
    // The primary key, not ctid: servers that speak PostgreSQL's protocol without its storage (CockroachDB, YugabyteDB,
    // Aurora's variants) have no ctid, and a batch of deletes by key costs the same index lookups.
    POSTGRESQL("BIGINT", "DOUBLE PRECISION", "BYTEA", "(context_path, virtual_host, session_id)") {
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
        public String greatest(String a, String b) {
            return "GREATEST(" + a + ", " + b + ")";
        }

        @Override
        public String least(String a, String b) {
            return "LEAST(" + a + ", " + b + ")";
        }

        @Override
        public String lockingTheRowsRead() {
            return " FOR UPDATE";
        }

        @Override
        public String leadingBytes(String column, int count) {
            return "substring(" + column + " from 1 for " + count + ")";
        }
    };

    /** Column type for epoch milliseconds. */
    public final String millisType;
    /** Column type for the Julian-day expiry: 64-bit floating point in both engines, so both hold equal values. */
    public final String julianDayType;
    /** Column type for the serialized attributes. */
    public final String bytesType;
    /**
     * What names a row in a bounded batch delete ({@code WHERE <locator> IN (SELECT <locator columns> ... LIMIT ?)}):
     * SQLite's rowid, PostgreSQL's primary key as a row value.
     */
    public final String rowLocator;

    SqlDialect(String millisType, String julianDayType, String bytesType, String rowLocator) {
        this.millisType = millisType;
        this.julianDayType = julianDayType;
        this.bytesType = bytesType;
        this.rowLocator = rowLocator;
    }

    /**
     * Deletes at most a bound parameter's number of rows: {@code rowsFromWhere} is the {@code FROM ... WHERE ...} part
     * choosing them.
     */
    public String deleteBatch(String table, String rowsFromWhere) {
        String columns = rowLocator.startsWith("(") ? rowLocator.substring(1, rowLocator.length() - 1) : rowLocator;
        return "DELETE FROM " + table + " WHERE " + rowLocator + " IN (SELECT " + columns + rowsFromWhere + " LIMIT ?)";
    }

    /** The clause after a table name that binds a query to one index, or nothing where the engine has none. */
    public abstract String pinnedTo(String index);

    /** A table expression named {@code alias} with one row per element of a JSON array of strings, as column value. */
    public abstract String jsonArrayElements(String parameter, String alias);

    /** The larger of two values. */
    public abstract String greatest(String a, String b);

    /** The smaller of two non-null values. */
    public abstract String least(String a, String b);

    /** What follows a SELECT inside a write transaction so that no other writer changes its rows before commit. */
    public abstract String lockingTheRowsRead();

    /** The first {@code count} bytes of a binary column. */
    public abstract String leadingBytes(String column, int count);
}
