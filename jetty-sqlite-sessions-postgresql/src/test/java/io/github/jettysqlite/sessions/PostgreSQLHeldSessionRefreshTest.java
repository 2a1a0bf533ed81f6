package io.github.jettysqlite.sessions;

import io.github.jettysqlite.sessions.postgresql.PostgreSQLSessionDataStoreFactory;
import io.github.jettysqlite.sessions.postgresql.PostgreSQLSessionSettings;
import io.github.jettysqlite.sessions.support.PostgreSQLRequired;
import io.github.jettysqlite.sessions.support.PostgreSQLServer;
import io.github.jettysqlite.sessions.support.TestServer;
import java.nio.file.Path;
import org.eclipse.jetty.server.Server;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A session held by a request takes in another node's change, on two nodes of one PostgreSQL schema (fresh for each
 * test), where the change signals come from LISTEN/NOTIFY and row reads, not from an SQLite file.
 */
@ExtendWith(PostgreSQLRequired.class)
class PostgreSQLHeldSessionRefreshTest extends AbstractHeldSessionRefreshTest {
    @Override
    String newDatabase(Path dir) {
        return PostgreSQLServer.get().freshSchemaUrl();
    }

    @Override
    Server startNode(String database, CoherentSessionCacheFactory cacheFactory) throws Exception {
        PostgreSQLSessionDataStoreFactory store =
                new PostgreSQLSessionDataStoreFactory(new PostgreSQLSessionSettings(database));
        // As TestServer.start sets its SQLite factory.
        store.setGracePeriodSec(1);
        return TestServer.startWithStore(0, store, cacheFactory);
    }
}
