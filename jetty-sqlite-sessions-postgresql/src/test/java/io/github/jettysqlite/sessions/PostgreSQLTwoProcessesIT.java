package io.github.jettysqlite.sessions;

import io.github.jettysqlite.sessions.support.PostgreSQLRequired;
import io.github.jettysqlite.sessions.support.PostgreSQLServer;
import java.nio.file.Path;
import org.junit.jupiter.api.extension.ExtendWith;

/** Two Jetty JVMs on one PostgreSQL server. */
@ExtendWith(PostgreSQLRequired.class)
class PostgreSQLTwoProcessesIT extends AbstractTwoProcessesIT {
    @Override
    String newDatabase(Path dir) {
        return PostgreSQLServer.get().freshSchemaUrl();
    }
}
