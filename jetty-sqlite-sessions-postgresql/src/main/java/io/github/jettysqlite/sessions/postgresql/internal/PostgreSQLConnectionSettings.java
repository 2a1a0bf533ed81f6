package io.github.jettysqlite.sessions.postgresql.internal;

import io.github.jettysqlite.sessions.internal.Redaction;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Properties;
import javax.sql.DataSource;
import org.postgresql.Driver;

/**
 * What reaching a PostgreSQL server needs: either a JDBC URL (and credentials), from which this library builds and
 * owns a connection pool, or a {@link DataSource} the application built and owns. Stores with equal settings share
 * one pool.
 *
 * @param url a {@code jdbc:postgresql:} URL, or null when a data source is given
 * @param user the user name, or null to take it from the URL or the driver's defaults
 * @param password the password, or null; never shown in messages
 * @param poolSize the most connections the pool opens
 * @param connectionTimeoutMs how long a request waits for a free connection before failing
 * @param dataSource the application's own data source, or null
 * @param metricRegistry a Micrometer or Dropwizard registry the pool reports to, or null
 */
public record PostgreSQLConnectionSettings(
        String url,
        String user,
        String password,
        int poolSize,
        int connectionTimeoutMs,
        DataSource dataSource,
        Object metricRegistry) {
    public PostgreSQLConnectionSettings {
        if ((url == null) == (dataSource == null)) {
            throw new IllegalArgumentException(
                    "give either a PostgreSQL URL or a DataSource, not " + (url == null ? "neither" : "both"));
        }
        if (url != null && !url.regionMatches(true, 0, "jdbc:postgresql:", 0, 16)) {
            throw new IllegalArgumentException(
                    "not a PostgreSQL JDBC URL (jdbc:postgresql://...): " + Redaction.url(url));
        }
        if (poolSize < 1) {
            throw new IllegalArgumentException("poolSize must be at least 1, not " + poolSize);
        }
        if (connectionTimeoutMs < 250) {
            throw new IllegalArgumentException("connectionTimeoutMs must be at least 250, not " + connectionTimeoutMs);
        }
    }

    /** What the shared-pool registry keys on: the same server as the same user is the same pool. */
    Object poolKey() {
        return dataSource != null ? dataSource : List.of(url, Objects.toString(user, ""));
    }

    /**
     * How long a connection of the pool this library builds waits for an answer before it gives the statement up and
     * closes (pgjdbc's {@code socketTimeout}): twice {@code connectionTimeoutMs}, in whole seconds. A live server
     * answers a session's statements in milliseconds; without a bound, a server whose machine died or a network that
     * drops packets would hold a request's thread until the kernel gives up on the connection, about a quarter of an
     * hour on Linux, and every other request would wait for the connections so held. A URL that names its own
     * {@code socketTimeout} keeps it (the driver takes the URL's parameters over the pool's properties).
     */
    int answerTimeoutSeconds() {
        return (int) Math.max(1, (2L * connectionTimeoutMs + 999) / 1000);
    }

    /**
     * The {@code statement_timeout} the pool this library builds asks the server for: a second under the answer bound
     * its connections end up with (the URL's own {@code socketTimeout} when it names one), at least half of it. A
     * server that is alive but slow to answer (a statement waiting for a lock) then cancels the statement itself,
     * before the client gives it up. Null when that bound is 0 (none), or when the URL sets a {@code
     * statement_timeout} of its own in its {@code options}. A server whose role or database already sets a lower one
     * keeps it (see {@link AnswerBounds#capStatementTimeout}).
     */
    Integer statementTimeoutMs() {
        Properties fromUrl = Driver.parseURL(url, null);
        // The server reads setting names in any case, and with dashes for underscores.
        String options = fromUrl == null ? "" : fromUrl.getProperty("options", "");
        if (fromUrl == null
                || options.toLowerCase(Locale.ROOT).replace('-', '_').contains("statement_timeout")) {
            return null;
        }
        String own = fromUrl.getProperty("socketTimeout");
        long boundMs;
        try {
            boundMs = 1_000L * (own == null ? answerTimeoutSeconds() : Integer.parseInt(own.trim()));
        } catch (NumberFormatException e) {
            return null;
        }
        if (boundMs <= 0) {
            return null;
        }
        return (int) Math.min(Integer.MAX_VALUE, Math.max(boundMs - 1_000, boundMs / 2));
    }

    /** The server as messages name it: the URL without its query string, where passwords may sit. */
    public String location() {
        return dataSource != null ? "DataSource " + dataSource.getClass().getName() : Redaction.url(url);
    }

    /**
     * A connection of its own for listening to other nodes' changes, which it holds for good: outside the pool this
     * library builds (so the pool keeps every connection for requests), from the application's data source when it
     * gave one.
     */
    Connection openListening() throws SQLException {
        if (dataSource() != null) {
            return dataSource().getConnection();
        }
        Properties properties = new Properties();
        if (user() != null) {
            properties.setProperty("user", user());
        }
        if (password() != null) {
            properties.setProperty("password", password());
        }
        // Bounded, so that neither a server that accepts and then says nothing nor a lost network can hold the thread
        // that connects: marks are not given meanwhile.
        String seconds = Integer.toString(Math.max(1, connectionTimeoutMs() / 1000));
        properties.setProperty("connectTimeout", seconds);
        properties.setProperty("loginTimeout", seconds);
        properties.setProperty("socketTimeout", Integer.toString(ChangeListener.ROUND_TRIP_TIMEOUT_MS / 1000));
        properties.setProperty("tcpKeepAlive", "true");
        properties.setProperty("ApplicationName", "jetty-sessions changes");
        return new Driver().connect(url(), properties);
    }

    @Override
    public String toString() {
        return "PostgreSQL[" + location() + ", user=" + user + ", poolSize=" + poolSize + ", connectionTimeoutMs="
                + connectionTimeoutMs + "]";
    }
}
