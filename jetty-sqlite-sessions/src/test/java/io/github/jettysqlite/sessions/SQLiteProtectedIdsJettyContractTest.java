package io.github.jettysqlite.sessions;

import org.eclipse.jetty.session.SessionDataStoreFactory;

/**
 * Jetty's own SessionDataStore test suite on the SQLite store with a key: every row sealed, every id kept as its
 * keyed hash, the id itself only encrypted.
 */
class SQLiteProtectedIdsJettyContractTest extends SQLiteJettyContractTest {
    SQLiteProtectedIdsJettyContractTest() throws Exception {}

    @Override
    public SessionDataStoreFactory createSessionDataStoreFactory() {
        SQLiteSessionSettings settings = new SQLiteSessionSettings(dir.resolve("jetty.db"));
        settings.setAttributeKey(keyReference());
        return new SQLiteSessionDataStoreFactory(settings);
    }

    @Override
    JettySuiteRows rows() {
        return JettySuiteRows.keyedWith(keyReference());
    }

    private String keyReference() {
        return JettySuiteRows.keyFileIn(dir);
    }
}
