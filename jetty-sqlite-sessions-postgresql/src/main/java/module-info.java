/** The session store on a PostgreSQL server: the shared store of the base module, with PostgreSQL's schema and SQL. */
module io.github.jettysqlite.sessions.postgresql {
    // The store and its settings extend the base module's public classes.
    requires transitive io.github.jettysqlite.sessions;
    requires com.zaxxer.hikari;
    requires org.postgresql.jdbc;
    // A data source named in JNDI.
    requires java.naming;

    exports io.github.jettysqlite.sessions.postgresql;

    // The tools open jdbc:postgresql: URLs through it.
    provides io.github.jettysqlite.sessions.internal.engine.DatabaseEngine with
            io.github.jettysqlite.sessions.postgresql.internal.PostgreSQLEngine;
}
