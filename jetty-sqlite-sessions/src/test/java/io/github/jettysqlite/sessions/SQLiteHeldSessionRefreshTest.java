package io.github.jettysqlite.sessions;

import io.github.jettysqlite.sessions.support.TestServer;
import java.nio.file.Path;
import org.eclipse.jetty.server.Server;

/** A session held by a request takes in another node's change, on two nodes of one SQLite file. */
class SQLiteHeldSessionRefreshTest extends AbstractHeldSessionRefreshTest {
    @Override
    String newDatabase(Path dir) {
        return dir.resolve("sessions.db").toString();
    }

    @Override
    Server startNode(String database, CoherentSessionCacheFactory cacheFactory) throws Exception {
        return TestServer.start(Path.of(database), 0, cacheFactory);
    }
}
