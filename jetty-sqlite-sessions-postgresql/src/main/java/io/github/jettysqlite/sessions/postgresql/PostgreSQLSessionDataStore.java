package io.github.jettysqlite.sessions.postgresql;

import io.github.jettysqlite.sessions.SessionDatabaseException;
import io.github.jettysqlite.sessions.SessionTableDataStore;
import org.eclipse.jetty.util.annotation.ManagedAttribute;
import org.eclipse.jetty.util.annotation.ManagedObject;

/**
 * A Jetty {@code SessionDataStore} that keeps the sessions of one context on a PostgreSQL server that Jetty on
 * several machines shares, in the same table layout as the SQLite store. Each store call is one statement in its
 * own transaction (a merge of concurrent changes, one transaction with the row locked); the server orders
 * concurrent writes.
 *
 * <p>Usually built by {@link PostgreSQLSessionDataStoreFactory}; configured by a {@link PostgreSQLSessionSettings},
 * which is checked when the store starts.
 */
@ManagedObject("Keeps session data on a PostgreSQL server")
public class PostgreSQLSessionDataStore extends SessionTableDataStore {
    private final PostgreSQLSessionSettings settings;

    public PostgreSQLSessionDataStore(PostgreSQLSessionSettings settings) {
        this.settings = settings;
    }

    @Override
    protected PostgreSQLSessionSettings settings() {
        return settings;
    }

    @ManagedAttribute(value = "the PostgreSQL server's JDBC URL, without its query string", readonly = true)
    public String getUrl() {
        return settings.getUrl();
    }

    @ManagedAttribute(value = "the PostgreSQL user", readonly = true)
    public String getUser() {
        return settings.getUser();
    }

    @ManagedAttribute(value = "the JNDI name of the data source, if one is used", readonly = true)
    public String getDataSourceName() {
        return settings.getDataSourceName();
    }

    @ManagedAttribute(value = "the most connections the store's own pool opens", readonly = true)
    public int getPoolSize() {
        return settings.getPoolSize();
    }

    @ManagedAttribute(value = "ms a request waits for a pooled connection", readonly = true)
    public int getConnectionTimeoutMs() {
        return settings.getConnectionTimeoutMs();
    }

    @ManagedAttribute(value = "schema version of the session table layout", readonly = true)
    public int getSchemaVersion() throws SessionDatabaseException {
        return admin().schemaVersion();
    }

    /** The server, as the store's messages name it. */
    @ManagedAttribute(value = "the server as messages name it", readonly = true)
    public String getLocation() {
        return admin().location();
    }
}
