package io.github.jettysqlite.sessions.internal;

/** What a caller opening a database means to do with its session table, which decides what opening may change. */
public enum TableUse {
    /** A store (schema mode create), or a migration target: create the table if it is missing and upgrade it. */
    SERVE,
    /**
     * A store whose schema the database's administrator keeps (schema mode validate): the table must be at this
     * library's layout, indexes included, and the refusal lists the statements that would put it there.
     */
    SERVE_VALIDATED,
    /** A store told to trust its table (schema mode none): nothing is read or changed. */
    SERVE_TRUSTED,
    /** A maintenance tool that writes (purge, delete): the table must exist at this library's layout already. */
    MAINTAIN,
    /** A tool that only reads (stats, list, show): the table must exist, at any layout this library can read. */
    INSPECT
}
