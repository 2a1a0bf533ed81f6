package io.github.jettysqlite.sessions;

import io.github.jettysqlite.sessions.support.PostgreSQLRequired;
import io.github.jettysqlite.sessions.support.PostgreSQLServer;
import java.nio.file.Path;
import org.junit.jupiter.api.extension.ExtendWith;

/** A user's sessions found and ended over HTTP, two Jetty JVMs on one PostgreSQL server. */
@ExtendWith(PostgreSQLRequired.class)
class PostgreSQLUserSessionsNodesIT extends AbstractUserSessionsNodesIT {
    @Override
    String newDatabase(Path dir) {
        return PostgreSQLServer.get().freshSchemaUrl();
    }
}
