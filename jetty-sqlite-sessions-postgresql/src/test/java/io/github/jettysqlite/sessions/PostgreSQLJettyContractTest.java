package io.github.jettysqlite.sessions;

import io.github.jettysqlite.sessions.postgresql.PostgreSQLSessionDataStoreFactory;
import io.github.jettysqlite.sessions.postgresql.PostgreSQLSessionSettings;
import io.github.jettysqlite.sessions.support.PostgreSQLRequired;
import io.github.jettysqlite.sessions.support.PostgreSQLServer;
import java.sql.Connection;
import java.sql.DriverManager;
import org.eclipse.jetty.session.AbstractSessionDataStoreTest;
import org.eclipse.jetty.session.SessionData;
import org.eclipse.jetty.session.SessionDataStoreFactory;
import org.junit.jupiter.api.extension.ExtendWith;

/** Jetty's own SessionDataStore test suite, as Jetty runs it on its stores, on the PostgreSQL store. */
@ExtendWith(PostgreSQLRequired.class)
class PostgreSQLJettyContractTest extends AbstractSessionDataStoreTest {
    private final String url = PostgreSQLServer.get().freshSchemaUrl();

    PostgreSQLJettyContractTest() throws Exception {}

    @Override
    public SessionDataStoreFactory createSessionDataStoreFactory() {
        return new PostgreSQLSessionDataStoreFactory(new PostgreSQLSessionSettings(url));
    }

    @Override
    public void persistSession(SessionData data) throws Exception {
        try (Connection c = DriverManager.getConnection(url)) {
            rows().persist(c, data, _contextClassLoader);
        }
    }

    @Override
    public void persistUnreadableSession(SessionData data) throws Exception {
        try (Connection c = DriverManager.getConnection(url)) {
            rows().persistUnreadable(c, data);
        }
    }

    @Override
    public boolean checkSessionExists(SessionData data) throws Exception {
        try (Connection c = DriverManager.getConnection(url)) {
            return rows().exists(c, data);
        }
    }

    @Override
    public boolean checkSessionPersisted(SessionData data) throws Exception {
        try (Connection c = DriverManager.getConnection(url)) {
            return rows().persisted(c, data, _contextClassLoader);
        }
    }

    /** The fresh schema this suite's stores use. */
    String url() {
        return url;
    }

    /** How rows are written and read behind the store's back: as the store under test writes them. */
    JettySuiteRows rows() {
        return JettySuiteRows.PLAIN;
    }
}
