package io.github.jettysqlite.sessions;

import io.github.jettysqlite.sessions.postgresql.PostgreSQLSessionDataStoreFactory;
import io.github.jettysqlite.sessions.postgresql.PostgreSQLSessionSettings;
import io.github.jettysqlite.sessions.support.PostgreSQLRequired;
import java.nio.file.Path;
import org.eclipse.jetty.session.SessionDataStoreFactory;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Jetty's own SessionDataStore test suite on the PostgreSQL store with a key: every row sealed, every id kept as its
 * keyed hash, the id itself only encrypted.
 */
@ExtendWith(PostgreSQLRequired.class)
class PostgreSQLProtectedIdsJettyContractTest extends PostgreSQLJettyContractTest {
    @TempDir
    Path dir;

    PostgreSQLProtectedIdsJettyContractTest() throws Exception {}

    @Override
    public SessionDataStoreFactory createSessionDataStoreFactory() {
        PostgreSQLSessionSettings settings = new PostgreSQLSessionSettings(url());
        settings.setAttributeKey(keyReference());
        return new PostgreSQLSessionDataStoreFactory(settings);
    }

    @Override
    JettySuiteRows rows() {
        return JettySuiteRows.keyedWith(keyReference());
    }

    private String keyReference() {
        return JettySuiteRows.keyFileIn(dir);
    }
}
