package io.github.jettysqlite.sessions;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import org.eclipse.jetty.session.AbstractSessionDataStoreTest;
import org.eclipse.jetty.session.SessionData;
import org.eclipse.jetty.session.SessionDataStoreFactory;
import org.junit.jupiter.api.io.TempDir;

/** Jetty's own SessionDataStore test suite, as Jetty runs it on its stores, on the SQLite store. */
class SQLiteJettyContractTest extends AbstractSessionDataStoreTest {
    @TempDir
    Path dir;

    SQLiteJettyContractTest() throws Exception {}

    @Override
    public SessionDataStoreFactory createSessionDataStoreFactory() {
        return new SQLiteSessionDataStoreFactory(dir.resolve("jetty.db"));
    }

    @Override
    public void persistSession(SessionData data) throws Exception {
        try (Connection c = connect()) {
            rows().persist(c, data, _contextClassLoader);
        }
    }

    @Override
    public void persistUnreadableSession(SessionData data) throws Exception {
        try (Connection c = connect()) {
            rows().persistUnreadable(c, data);
        }
    }

    @Override
    public boolean checkSessionExists(SessionData data) throws Exception {
        try (Connection c = connect()) {
            return rows().exists(c, data);
        }
    }

    @Override
    public boolean checkSessionPersisted(SessionData data) throws Exception {
        try (Connection c = connect()) {
            return rows().persisted(c, data, _contextClassLoader);
        }
    }

    private Connection connect() throws Exception {
        return DriverManager.getConnection("jdbc:sqlite:" + dir.resolve("jetty.db"));
    }

    /** How rows are written and read behind the store's back: as the store under test writes them. */
    JettySuiteRows rows() {
        return JettySuiteRows.PLAIN;
    }
}
