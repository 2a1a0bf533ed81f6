package io.github.jettysqlite.sessions.spring;

import io.github.jettysqlite.sessions.SQLiteSessionDataStoreFactory;
import io.github.jettysqlite.sessions.SQLiteSessionSettings;
import org.springframework.boot.context.properties.ConfigurationProperties;

/** {@code jetty.sessions.sqlite.*}: setting {@code file} keeps the application's sessions in that SQLite file. */
@ConfigurationProperties(SQLiteSessionsProperties.PREFIX)
public class SQLiteSessionsProperties extends SessionTableProperties {
    static final String PREFIX = "jetty.sessions.sqlite";

    /** The SQLite database file; setting it switches the SQLite session store on. Missing directories are created. */
    private String file;

    /** Commit durability: NORMAL survives a crash of the process, FULL also power loss (OFF, NORMAL, FULL, EXTRA). */
    private String synchronous = SQLiteSessionSettings.DEFAULT_SYNCHRONOUS;

    /** Milliseconds a write waits for another process holding the write lock, and a read for a free connection. */
    private int busyTimeoutMs = SQLiteSessionSettings.DEFAULT_BUSY_TIMEOUT_MS;

    /** Read connections per database file. */
    private int maxReaders = SQLiteSessionSettings.DEFAULT_MAX_READERS;

    /** The factory these properties describe, its settings checked. */
    SQLiteSessionDataStoreFactory toFactory() {
        SQLiteSessionSettings settings = new SQLiteSessionSettings();
        settings.setDatabaseFile(file);
        settings.setSynchronous(synchronous);
        settings.setBusyTimeoutMs(busyTimeoutMs);
        settings.setMaxReaders(maxReaders);
        SQLiteSessionDataStoreFactory factory = new SQLiteSessionDataStoreFactory(settings);
        applyTo(settings, factory);
        factory.validate();
        return factory;
    }

    public String getFile() {
        return file;
    }

    public void setFile(String file) {
        this.file = file;
    }

    public String getSynchronous() {
        return synchronous;
    }

    public void setSynchronous(String synchronous) {
        this.synchronous = synchronous;
    }

    public int getBusyTimeoutMs() {
        return busyTimeoutMs;
    }

    public void setBusyTimeoutMs(int busyTimeoutMs) {
        this.busyTimeoutMs = busyTimeoutMs;
    }

    public int getMaxReaders() {
        return maxReaders;
    }

    public void setMaxReaders(int maxReaders) {
        this.maxReaders = maxReaders;
    }
}
