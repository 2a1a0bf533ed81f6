package io.github.jettysqlite.sessions.spring;

import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * {@code jetty.sessions.postgresql.*}: setting {@code url} keeps the application's sessions on that PostgreSQL server
 * (with {@code jetty-sqlite-sessions-postgresql} on the class path).
 */
@ConfigurationProperties(PostgreSQLSessionsProperties.PREFIX)
public class PostgreSQLSessionsProperties extends SessionTableProperties {
    static final String PREFIX = "jetty.sessions.postgresql";

    /** The server's JDBC URL, jdbc:postgresql://host:5432/database; setting it switches the PostgreSQL store on. */
    private String url;

    /** The user to connect as, unless the URL names one. */
    private String user;

    /** The user's password, unless the URL carries one. Never shown in messages or JMX. */
    private String password;

    /** The most connections the store's pool opens. */
    private int poolSize = 10;

    /** Milliseconds a request waits for a free pooled connection, and start-up for the server, before failing. */
    private int connectionTimeoutMs = 5000;

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

    public int getConnectionTimeoutMs() {
        return connectionTimeoutMs;
    }

    public void setConnectionTimeoutMs(int connectionTimeoutMs) {
        this.connectionTimeoutMs = connectionTimeoutMs;
    }
}
