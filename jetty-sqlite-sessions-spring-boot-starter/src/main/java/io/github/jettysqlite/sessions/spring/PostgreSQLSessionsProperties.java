package io.github.jettysqlite.sessions.spring;

import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * {@code jetty.sessions.postgresql.*}: setting {@code url}, or {@code use-application-data-source}, keeps the
 * application's sessions on PostgreSQL (with {@code jetty-sqlite-sessions-postgresql} on the class path).
 */
@ConfigurationProperties(PostgreSQLSessionsProperties.PREFIX)
public class PostgreSQLSessionsProperties extends SessionTableProperties {
    static final String PREFIX = "jetty.sessions.postgresql";
    static final String URL = PREFIX + ".url";
    static final String USE_APPLICATION_DATA_SOURCE = PREFIX + ".use-application-data-source";

    /** The server's JDBC URL, jdbc:postgresql://host:5432/database; setting it switches the PostgreSQL store on. */
    private String url;

    /** The user to connect as, unless the URL names one. */
    private String user;

    /** The user's password, unless the URL carries one. Never shown in messages or JMX. */
    private String password;

    /** The most connections the store's pool opens. */
    private int poolSize = 10;

    /**
     * How long a request waits for a free pooled connection, and start-up for the server, before failing (a bare
     * number is milliseconds; at least 250ms).
     */
    private Duration connectionTimeout = Duration.ofSeconds(5);

    /**
     * Whether the store uses the application's own DataSource bean (the one marked @JettySessionsDataSource, else the
     * primary or only one) instead of a url and a pool of its own; true switches the PostgreSQL store on.
     */
    private boolean useApplicationDataSource;

    public PostgreSQLSessionsProperties() {
        super(PREFIX, new Renamed("connection-timeout-ms", "connection-timeout"));
    }

    public String getUrl() {
        return url;
    }

    public void setUrl(String url) {
        this.url = url;
    }

    public String getUser() {
        return user;
    }

    public void setUser(String user) {
        this.user = user;
    }

    public String getPassword() {
        return password;
    }

    public void setPassword(String password) {
        this.password = password;
    }

    public int getPoolSize() {
        return poolSize;
    }

    public void setPoolSize(int poolSize) {
        this.poolSize = poolSize;
    }

    public Duration getConnectionTimeout() {
        return connectionTimeout;
    }

    public void setConnectionTimeout(Duration connectionTimeout) {
        this.connectionTimeout = connectionTimeout;
    }

    /** The old name of {@code connection-timeout}, a number of milliseconds. */
    @Deprecated
    public int getConnectionTimeoutMs() {
        return clampedMillis(connectionTimeout);
    }

    @Deprecated
    public void setConnectionTimeoutMs(int connectionTimeoutMs) {
        this.connectionTimeout = Duration.ofMillis(connectionTimeoutMs);
    }

    public boolean isUseApplicationDataSource() {
        return useApplicationDataSource;
    }

    public void setUseApplicationDataSource(boolean useApplicationDataSource) {
        this.useApplicationDataSource = useApplicationDataSource;
    }
}
