package io.github.jettysqlite.sessions;

import java.nio.file.Path;

/** Two Jetty JVMs on one PostgreSQL server. */
class PostgreSQLTwoProcessesTest extends AbstractTwoProcessesTest {
    @Override
    String newDatabase(Path dir) {
        return PostgresServer.get().freshSchemaUrl();
    }
}
