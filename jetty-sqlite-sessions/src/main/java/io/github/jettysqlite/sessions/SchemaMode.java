package io.github.jettysqlite.sessions;

/**
 * Who keeps the session table's schema: the store, as it starts ({@link #CREATE}, the default), or whoever runs the
 * database ({@link #VALIDATE}, {@link #NONE}), from the scripts this library ships as resources:
 * {@value #SQLITE_SCRIPT} and {@value #POSTGRESQL_SCRIPT} (for the default table name; with another, replace
 * {@code jetty_sessions} throughout).
 */
public enum SchemaMode {
    /** The store creates the table when it is missing and upgrades an older layout in place, as it starts. */
    CREATE,
    /**
     * The store changes nothing: it refuses to start on a missing table, or one at an older layout or without its
     * indexes, with the statements that would make it right in the message. A newer layout is refused, as always.
     */
    VALIDATE,
    /**
     * The store trusts the table entirely: no statement of DDL, no check of its version. A table that is missing or
     * in another layout fails the first request that uses it instead of the start.
     */
    NONE;

    /** The class-path resource that creates the default table on SQLite, its layout version recorded. */
    public static final String SQLITE_SCRIPT = "io/github/jettysqlite/sessions/schema/sqlite.sql";

    /** The class-path resource that creates the default table on PostgreSQL, its layout version recorded. */
    public static final String POSTGRESQL_SCRIPT = "io/github/jettysqlite/sessions/schema/postgresql.sql";
}
