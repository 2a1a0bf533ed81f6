/**
 * The session store on SQLite, and what every engine's store shares: Jetty's contract over one session table, the
 * coherent cache, the tools' admin API, and statistics for JMX and Micrometer.
 */
// The PostgreSQL module the internals are exported to is built after this one.
@SuppressWarnings("module")
module io.github.jettysqlite.sessions {
    // The stores extend Jetty's session classes and the statistics throw SQLException, so a user of this module
    // needs both without naming them.
    requires transitive org.eclipse.jetty.session;
    requires transitive java.sql;
    requires org.slf4j;
    requires org.xerial.sqlitejdbc;
    // Only an application with Micrometer uses metrics, and only a server with Jetty's jmx module loads the MBean
    // class; neither is needed at run time otherwise. Not transitive: that would make every module built on this one
    // need both to compile, though only those using metrics or JMX do, and those name them anyway.
    requires static micrometer.core;
    requires static org.eclipse.jetty.jmx;

    exports io.github.jettysqlite.sessions;
    exports io.github.jettysqlite.sessions.admin;
    exports io.github.jettysqlite.sessions.jmx;
    exports io.github.jettysqlite.sessions.metrics;
    // The schema scripts (SchemaMode.SQLITE_SCRIPT) are resources, which another module reads only from an open
    // package.
    opens io.github.jettysqlite.sessions.schema;

    // The PostgreSQL store shares the table layer, the connection contract and the engine SPI; nobody else may
    // reach them.
    exports io.github.jettysqlite.sessions.internal to
            io.github.jettysqlite.sessions.postgresql;
    exports io.github.jettysqlite.sessions.internal.engine to
            io.github.jettysqlite.sessions.postgresql;
    exports io.github.jettysqlite.sessions.internal.table to
            io.github.jettysqlite.sessions.postgresql;

    // The tools find the engine for a database location; the PostgreSQL jar provides the other.
    uses io.github.jettysqlite.sessions.internal.engine.DatabaseEngine;

    provides io.github.jettysqlite.sessions.internal.engine.DatabaseEngine with
            io.github.jettysqlite.sessions.internal.sqlite.SQLiteEngine;
}
