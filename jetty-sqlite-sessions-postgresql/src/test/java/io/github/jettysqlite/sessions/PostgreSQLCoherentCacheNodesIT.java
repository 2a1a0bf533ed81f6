package io.github.jettysqlite.sessions;

import java.nio.file.Path;
import org.junit.jupiter.api.extension.ExtendWith;

/** Two Jetty JVMs with coherent session caches on one PostgreSQL server. */
@ExtendWith(PostgreSQLRequired.class)
class PostgreSQLCoherentCacheNodesTest extends AbstractCoherentCacheNodesTest {
    @Override
    String newDatabase(Path dir) {
        return PostgreSQLServer.get().freshSchemaUrl();
    }
}
