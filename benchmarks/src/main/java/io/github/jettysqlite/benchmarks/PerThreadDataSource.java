package io.github.jettysqlite.benchmarks;

import java.io.PrintWriter;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.SQLFeatureNotSupportedException;
import java.util.logging.Logger;
import javax.sql.DataSource;

/**
 * A data source without a pool that gives every benchmark thread one long-lived connection of its own ({@link
 * Lanes}). {@link #getConnection()} hands out the calling thread's connection behind a proxy whose {@code close()}
 * does nothing, so a caller that closes each connection after use (as Jetty's JDBC store does) keeps it open; the
 * connections close for real when the data source does.
 */
final class PerThreadDataSource implements DataSource, AutoCloseable {
    /** A thread's open connection and the proxy handed out for it. */
    private record Held(Connection real, Connection unclosable) implements AutoCloseable {
        @Override
        public void close() throws SQLException {
            real.close();
        }
    }

    private final Lanes<Held> connections;

    PerThreadDataSource(String url) {
        connections = new Lanes<>(() -> {
            Connection real = DriverManager.getConnection(url);
            return new Held(real, unclosable(real));
        });
    }

    private static Connection unclosable(Connection real) {
        return (Connection) Proxy.newProxyInstance(
                Connection.class.getClassLoader(), new Class<?>[] {Connection.class}, (proxy, method, args) -> {
                    switch (method.getName()) {
                        case "close":
                            return null;
                        case "equals":
                            return proxy == args[0];
                        case "hashCode":
                            return System.identityHashCode(proxy);
                        default:
                            try {
                                return method.invoke(real, args);
                            } catch (InvocationTargetException e) {
                                throw e.getCause();
                            }
                    }
                });
    }

    @Override
    public Connection getConnection() throws SQLException {
        try {
            return connections.get().unclosable();
        } catch (SQLException | RuntimeException e) {
            throw e;
        } catch (Exception e) {
            throw new SQLException(e);
        }
    }

    @Override
    public Connection getConnection(String username, String password) throws SQLException {
        return getConnection();
    }

    @Override
    public PrintWriter getLogWriter() {
        return null;
    }

    @Override
    public void setLogWriter(PrintWriter out) {}

    @Override
    public void setLoginTimeout(int seconds) {}

    @Override
    public int getLoginTimeout() {
        return 0;
    }

    @Override
    public Logger getParentLogger() throws SQLFeatureNotSupportedException {
        throw new SQLFeatureNotSupportedException();
    }

    @Override
    public <T> T unwrap(Class<T> type) throws SQLException {
        if (type.isInstance(this)) {
            return type.cast(this);
        }
        throw new SQLException("not a wrapper of " + type);
    }

    @Override
    public boolean isWrapperFor(Class<?> type) {
        return type.isInstance(this);
    }

    @Override
    public void close() throws Exception {
        connections.close();
    }
}
