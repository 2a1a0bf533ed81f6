package io.github.jettysqlite.sessions;

/** The database engines every contract test runs against. */
enum Engine {
    SQLITE,
    POSTGRESQL
}
