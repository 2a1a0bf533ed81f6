package io.github.jettysqlite.sessions;

import java.util.Locale;

/**
 * The few places where SQLite and PostgreSQL spell the same statement differently. {@link SessionTable} builds
 * every statement from these pieces, so the two engines share one table layout and one list of statements.
 */
enum SqlDialect {
    SQLITE("INTEGER", "REAL", "BLOB", "rowid") {
        @Override
        String pinnedTo(String index) {
            // Without statistics SQLite may prefer the primary key's context prefix; INDEXED BY also makes it fail
            // rather than scan should the index become unusable.
            return " INDEXED BY " + index;
        }

        @Override
        String jsonArrayElements(String parameter, String alias) {
            return "json_each(" + parameter + ") AS " + alias;
        }

        @Override
        String greatest(String a, String b) {
            return "max(" + a + ", " + b + ")";
        }

        @Override
        String lockingTheRowsRead() {
            // The group-commit writer's BEGIN IMMEDIATE already holds the file's write lock.
            return "";
        }
    },
    POSTGRESQL("BIGINT", "DOUBLE PRECISION", "BYTEA", "ctid") {
        @Override
        String pinnedTo(String index) {
            // PostgreSQL has no index hints; its planner picks the partial index for the range on its own (the
            // query-plan test checks that with EXPLAIN).
            return "";
        }

        @Override
        String jsonArrayElements(String parameter, String alias) {
            return "json_array_elements_text(CAST(" + parameter + " AS json)) AS " + alias + "(value)";
        }

        @Override
        String greatest(String a, String b) {
            return "GREATEST(" + a + ", " + b + ")";
        }

        @Override
        String lockingTheRowsRead() {
            return " FOR UPDATE";
        }
    };

    /** Column type for epoch milliseconds. */
    final String millisType;
    /** Column type for the Julian-day expiry: 64-bit floating point in both engines, so both hold equal values. */
    final String julianDayType;
    /** Column type for the serialized attributes. */
    final String bytesType;
    /** The hidden column that names a row's physical place, used to delete in bounded batches. */
    final String rowLocator;

    SqlDialect(String millisType, String julianDayType, String bytesType, String rowLocator) {
        this.millisType = millisType;
        this.julianDayType = julianDayType;
        this.bytesType = bytesType;
        this.rowLocator = rowLocator;
    }

    /** The clause after a table name that binds a query to one index, or nothing where the engine has none. */
    abstract String pinnedTo(String index);

    /** A table expression named {@code alias} with one row per element of a JSON array of strings, as column value. */
    abstract String jsonArrayElements(String parameter, String alias);

    /** The larger of two values. */
    abstract String greatest(String a, String b);

    /** What follows a SELECT inside a write transaction so that no other writer changes its rows before commit. */
    abstract String lockingTheRowsRead();

    /**
     * The dialect a JDBC URL speaks, or null when this library does not support its engine.
     *
     * @param url a JDBC URL such as {@code jdbc:postgresql://db.example.com/app}
     */
    static SqlDialect ofUrl(String url) {
        String lower = url.toLowerCase(Locale.ROOT);
        if (lower.startsWith("jdbc:sqlite:")) {
            return SQLITE;
        }
        if (lower.startsWith("jdbc:postgresql:")) {
            return POSTGRESQL;
        }
        return null;
    }
}
