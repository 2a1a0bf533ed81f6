package io.github.jettysqlite.sessions.postgresql;

import io.github.jettysqlite.sessions.SessionTableDataStore;
import io.github.jettysqlite.sessions.SessionTableDataStoreFactory;

/**
 * Builds a {@link PostgreSQLSessionDataStore} for each context, all on one server and one pool. In embedded code,
 * {@code server.addBean(new PostgreSQLSessionDataStoreFactory(settings))}; in {@code jetty.xml}, give it a {@link
 * PostgreSQLSessionSettings} as its argument.
 */
public class PostgreSQLSessionDataStoreFactory extends SessionTableDataStoreFactory<PostgreSQLSessionSettings> {
    public PostgreSQLSessionDataStoreFactory() {
        this(new PostgreSQLSessionSettings());
    }

    public PostgreSQLSessionDataStoreFactory(PostgreSQLSessionSettings settings) {
        super(settings);
    }

    @Override
    protected SessionTableDataStore newStore(PostgreSQLSessionSettings settings) {
        return new PostgreSQLSessionDataStore(settings);
    }
}
