package io.github.jettysqlite.examples.boot4;

import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * {@code jetty.sqlite-sessions.*} in {@code application.properties}: where the SQLite session database lives and
 * how it commits.
 *
 * @param file the database file (default {@code sessions.db})
 * @param table the session table (default {@code jetty_sessions})
 * @param synchronous NORMAL (default) or FULL
 */
@ConfigurationProperties("jetty.sqlite-sessions")
public record SqliteSessionsProperties(String file, String table, String synchronous) {
    public SqliteSessionsProperties {
        file = file == null ? "sessions.db" : file;
        table = table == null ? "jetty_sessions" : table;
        synchronous = synchronous == null ? "NORMAL" : synchronous;
    }
}
