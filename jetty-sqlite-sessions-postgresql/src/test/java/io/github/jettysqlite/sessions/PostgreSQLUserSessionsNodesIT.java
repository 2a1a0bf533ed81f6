package io.github.jettysqlite.sessions;

import java.nio.file.Path;
import org.junit.jupiter.api.extension.ExtendWith;

/** A user's sessions found and ended over HTTP, two Jetty JVMs on one PostgreSQL server. */
@ExtendWith(PostgreSQLRequired.class)
class PostgreSQLUserSessionsNodesTest extends AbstractUserSessionsNodesTest {
    @Override
    String newDatabase(Path dir) {
        return PostgreSQLServer.get().freshSchemaUrl();
    }
}
