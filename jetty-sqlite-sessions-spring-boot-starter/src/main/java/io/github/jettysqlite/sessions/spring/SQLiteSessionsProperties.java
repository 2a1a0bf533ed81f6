package io.github.jettysqlite.sessions.spring;

import io.github.jettysqlite.sessions.Checkpoints;
import io.github.jettysqlite.sessions.SQLiteSessionDataStoreFactory;
import io.github.jettysqlite.sessions.SQLiteSessionSettings;
import io.github.jettysqlite.sessions.Synchronous;
import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.core.env.Environment;

/** {@code jetty.sessions.sqlite.*}: setting {@code file} keeps the application's sessions in that SQLite file. */
@ConfigurationProperties(SQLiteSessionsProperties.PREFIX)
public class SQLiteSessionsProperties extends SessionTableProperties {
    static final String PREFIX = "jetty.sessions.sqlite";

    /** The SQLite database file; setting it switches the SQLite session store on. Missing directories are created. */
    private String file;

    /**
     * Commit durability: NORMAL survives a crash of the process, FULL also power loss (one fsync per commit); OFF and
     * EXTRA are the extremes.
     */
    private Synchronous synchronous = Synchronous.NORMAL;

    /**
     * How long a write waits for another process holding the write lock, and a read for a free connection (a bare
     * number is milliseconds). 0 never waits for another process.
     */
    private Duration busyTimeout = Duration.ofSeconds(5);

    /** Read connections per database file. */
    private int maxReaders = 8;

    /**
     * Who checkpoints the write-ahead log: STORE (the store, off the request path) or EXTERNAL (another process that
     * must be the only one to, such as Litestream replicating the file; the log grows until it checkpoints).
     */
    private Checkpoints checkpoints = Checkpoints.STORE;

    public SQLiteSessionsProperties() {
        super(PREFIX, new Renamed("busy-timeout-ms", "busy-timeout"));
    }

    /** The factory these properties describe, its settings checked. */
    SQLiteSessionDataStoreFactory toFactory(Environment environment) {
        requireOneNameEach(environment);
        SQLiteSessionSettings settings = new SQLiteSessionSettings();
        settings.setDatabaseFile(file);
        settings.setSynchronous(synchronous.name());
        settings.setBusyTimeoutMs(millis(busyTimeout, "busy-timeout"));
        settings.setMaxReaders(maxReaders);
        settings.setCheckpoints(checkpoints.name());
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

    public Synchronous getSynchronous() {
        return synchronous;
    }

    public void setSynchronous(Synchronous synchronous) {
        this.synchronous = synchronous;
    }

    public Duration getBusyTimeout() {
        return busyTimeout;
    }

    public void setBusyTimeout(Duration busyTimeout) {
        this.busyTimeout = busyTimeout;
    }

    /** The old name of {@code busy-timeout}, a number of milliseconds. */
    @Deprecated
    public int getBusyTimeoutMs() {
        return clampedMillis(busyTimeout);
    }

    @Deprecated
    public void setBusyTimeoutMs(int busyTimeoutMs) {
        this.busyTimeout = Duration.ofMillis(busyTimeoutMs);
    }

    public int getMaxReaders() {
        return maxReaders;
    }

    public void setMaxReaders(int maxReaders) {
        this.maxReaders = maxReaders;
    }

    public Checkpoints getCheckpoints() {
        return checkpoints;
    }

    public void setCheckpoints(Checkpoints checkpoints) {
        this.checkpoints = checkpoints;
    }
}
