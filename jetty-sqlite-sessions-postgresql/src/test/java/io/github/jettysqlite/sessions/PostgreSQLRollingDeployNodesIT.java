package io.github.jettysqlite.sessions;

import io.github.jettysqlite.sessions.support.PostgreSQLRequired;
import io.github.jettysqlite.sessions.support.PostgreSQLServer;
import java.nio.file.Path;
import org.junit.jupiter.api.extension.ExtendWith;

/** A rolling deploy of two Jetty JVMs, an old and a new version of the webapp, on one PostgreSQL server. */
@ExtendWith(PostgreSQLRequired.class)
class PostgreSQLRollingDeployNodesIT extends AbstractRollingDeployNodesIT {
    @Override
    String newDatabase(Path dir) {
        return PostgreSQLServer.get().freshSchemaUrl();
    }
}
