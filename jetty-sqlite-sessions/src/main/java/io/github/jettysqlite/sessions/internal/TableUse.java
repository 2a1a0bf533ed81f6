package io.github.jettysqlite.sessions.internal;

/** What a caller opening a database means to do with its session table, which decides what opening may change. */
public enum TableUse {
    /** A store, or a migration target: create the table if it is missing and upgrade an older layout. */
    SERVE,
    /** A maintenance tool that writes (purge, delete): the table must exist at this library's layout already. */
    MAINTAIN,
    /** A tool that only reads (stats, list, show): the table must exist, at any layout this library can read. */
    INSPECT
}
