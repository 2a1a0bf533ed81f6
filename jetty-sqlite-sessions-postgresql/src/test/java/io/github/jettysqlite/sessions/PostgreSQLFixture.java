package io.github.jettysqlite.sessions;

import io.github.jettysqlite.sessions.postgresql.PostgreSQLSessionDataStore;
import io.github.jettysqlite.sessions.postgresql.PostgreSQLSessionSettings;
import io.github.jettysqlite.sessions.support.PostgreSQLServer;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.function.Consumer;

/** Stores on a real PostgreSQL server, in a schema of the fixture's own. */
final class PostgreSQLFixture extends StoreFixture {
    private final String url;

    PostgreSQLFixture() {
        this(PostgreSQLServer.get().freshSchemaUrl());
    }

    PostgreSQLFixture(String url) {
        this.url = url;
    }

    String url() {
        return url;
    }

    @Override
    public SessionTableDataStore newStore(Consumer<SessionTableSettings> setup) {
        PostgreSQLSessionSettings settings = new PostgreSQLSessionSettings(url);
        setup.accept(settings);
        return new PostgreSQLSessionDataStore(settings);
    }

    /** A store whose PostgreSQL settings the test sets. */
    PostgreSQLSessionDataStore postgresStore(
            String node, String contextPath, String vhost, Consumer<PostgreSQLSessionSettings> setup) throws Exception {
        PostgreSQLSessionSettings settings = new PostgreSQLSessionSettings(url);
        setup.accept(settings);
        return start(new PostgreSQLSessionDataStore(settings), node, contextPath, vhost);
    }

    @Override
    public Connection connect() throws SQLException {
        return DriverManager.getConnection(url);
    }

    @Override
    public String database() {
        return url;
    }

    @Override
    public boolean isSQLite() {
        return false;
    }
}
