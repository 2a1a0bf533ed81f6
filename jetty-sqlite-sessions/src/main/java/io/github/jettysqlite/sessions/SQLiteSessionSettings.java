package io.github.jettysqlite.sessions;

import io.github.jettysqlite.sessions.internal.DatabaseLocation;
import io.github.jettysqlite.sessions.internal.engine.StoreEngine;
import io.github.jettysqlite.sessions.internal.sqlite.SQLiteDatabase;
import io.github.jettysqlite.sessions.internal.sqlite.SQLiteDatabaseSettings;
import io.github.jettysqlite.sessions.internal.table.SqlDialect;
import java.nio.file.Path;

/**
 * Where and how a {@link SQLiteSessionDataStore} keeps sessions: the file and SQLite's own settings, plus the
 * settings every engine shares. The defaults are right for most servers: one setting, the file, is usually all.
 */
public class SQLiteSessionSettings extends SessionTableSettings {
    public static final String DEFAULT_DATABASE_FILE = "sessions.db";
    public static final String DEFAULT_SYNCHRONOUS = "NORMAL";
    public static final int DEFAULT_BUSY_TIMEOUT_MS = 5_000;
    public static final int DEFAULT_MAX_READERS = 8;
    public static final String DEFAULT_CHECKPOINTS = "STORE";

    private String databaseFile = DEFAULT_DATABASE_FILE;
    private String synchronous = DEFAULT_SYNCHRONOUS;
    private int busyTimeoutMs = DEFAULT_BUSY_TIMEOUT_MS;
    private int maxReaders = DEFAULT_MAX_READERS;
    private String checkpoints = DEFAULT_CHECKPOINTS;

    static {
        StoreEngine.register(
                SQLiteSessionSettings.class,
                SqlDialect.SQLITE,
                (settings, table, use) -> SQLiteDatabase.acquire(settings.database(), table, use, false));
    }

    /** Sessions in {@code sessions.db} in the working directory. */
    public SQLiteSessionSettings() {}

    public SQLiteSessionSettings(Path databaseFile) {
        setDatabaseFile(databaseFile.toString());
    }

    @Override
    protected String engine() {
        return "SQLite";
    }

    @Override
    protected int databaseWaitMs() {
        return busyTimeoutMs;
    }

    @Override
    public void validate() {
        super.validate();
        database();
    }

    /** What opening the file needs, checked: the real file, and SQLite's settings. */
    SQLiteDatabaseSettings database() {
        Path file = checked("databaseFile", this::file);
        Synchronous mode = checked("synchronous", () -> oneOf(Synchronous.class, "synchronous", synchronous));
        checked("busyTimeoutMs", () -> requireAtLeast(0, busyTimeoutMs, "busyTimeoutMs"));
        checked(
                "maxReaders",
                () -> requireAtMost(
                        SQLiteDatabaseSettings.MAX_READERS, requireAtLeast(1, maxReaders, "maxReaders"), "maxReaders"));
        Checkpoints by = checked("checkpoints", this::checkpointsBy);
        return new SQLiteDatabaseSettings(file, mode, busyTimeoutMs, maxReaders, by);
    }

    /**
     * An external checkpointer takes the write lock for each checkpoint, so writes must be able to wait for it: a
     * busy timeout of 0 would fail every write that met one.
     */
    private Checkpoints checkpointsBy() {
        Checkpoints by = oneOf(Checkpoints.class, "checkpoints", checkpoints);
        if (by == Checkpoints.EXTERNAL && busyTimeoutMs == 0) {
            throw new IllegalArgumentException("checkpoints=EXTERNAL needs a busyTimeoutMs above 0: the process that"
                    + " checkpoints holds the write lock while it does, and a write that cannot wait would fail");
        }
        return by;
    }

    private Path file() {
        if (databaseFile == null || databaseFile.isBlank()) {
            throw new IllegalArgumentException("databaseFile must be set");
        }
        if (!(DatabaseLocation.parse(databaseFile) instanceof DatabaseLocation.SQLiteFile sqlite)) {
            throw new IllegalArgumentException("a PostgreSQL URL needs the PostgreSQL session store"
                    + " (jetty-sqlite-sessions-postgresql), not the SQLite one");
        }
        return sqlite.file();
    }

    public String getDatabaseFile() {
        return databaseFile;
    }

    /**
     * The database file, as a path or a {@code jdbc:sqlite:} URL (plain or {@code file:} form, without parameters);
     * missing parent directories are created. Default {@code sessions.db}.
     */
    public void setDatabaseFile(String databaseFile) {
        this.databaseFile = databaseFile;
    }

    public String getSynchronous() {
        return synchronous;
    }

    /**
     * SQLite's commit durability: NORMAL (the default: a committed session survives a crash of the process), FULL
     * (also power loss, one fsync per commit), OFF or EXTRA. See {@link Synchronous}.
     */
    public void setSynchronous(String synchronous) {
        this.synchronous = synchronous;
    }

    public int getBusyTimeoutMs() {
        return busyTimeoutMs;
    }

    /**
     * How long a write waits for another process's write lock, and a read for a free connection, before failing
     * in words. Default 5000.
     */
    public void setBusyTimeoutMs(int busyTimeoutMs) {
        this.busyTimeoutMs = busyTimeoutMs;
    }

    public int getMaxReaders() {
        return maxReaders;
    }

    /** The most read connections open at once per database file, 1 to 1024. Default 8. */
    public void setMaxReaders(int maxReaders) {
        this.maxReaders = maxReaders;
    }

    public String getCheckpoints() {
        return checkpoints;
    }

    /**
     * Who checkpoints the write-ahead log: STORE (the default), the store itself, off the request path; or EXTERNAL,
     * another process that must be the only one to, such as Litestream replicating the file. See {@link
     * Checkpoints}.
     */
    public void setCheckpoints(String checkpoints) {
        this.checkpoints = checkpoints;
    }
}
