/** The command line that inspects, maintains and migrates session databases through the admin API. */
module io.github.jettysqlite.sessions.cli {
    requires io.github.jettysqlite.sessions;
    // Migrating between SQLite and PostgreSQL, and the db and to options on a jdbc:postgresql: URL, need its engine.
    requires io.github.jettysqlite.sessions.postgresql;
    requires info.picocli;

    exports io.github.jettysqlite.sessions.cli;

    // Picocli sets the commands' annotated fields, private ones included, by reflection.
    opens io.github.jettysqlite.sessions.cli to
            info.picocli;
}
