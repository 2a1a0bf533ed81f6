package io.github.jettysqlite.sessions;

import io.github.jettysqlite.sessions.admin.Progress;
import io.github.jettysqlite.sessions.internal.sqlite.SQLiteDatabase;
import java.nio.file.Path;
import org.eclipse.jetty.util.annotation.ManagedAttribute;
import org.eclipse.jetty.util.annotation.ManagedObject;
import org.eclipse.jetty.util.annotation.ManagedOperation;
import org.eclipse.jetty.util.annotation.Name;

/**
 * A Jetty {@code SessionDataStore} that keeps the sessions of one context in an SQLite file, in a table the
 * sessions of other contexts and virtual hosts may share. Every store naming the same file shares one writer with
 * group commit and one pool of readers.
 *
 * <p>Usually built by {@link SQLiteSessionDataStoreFactory}; configured by an {@link SQLiteSessionSettings}, which
 * is checked when the store starts.
 */
@ManagedObject("Keeps session data in an SQLite file")
public class SQLiteSessionDataStore extends SessionTableDataStore {
    private final SQLiteSessionSettings settings;

    /** Sessions in {@code sessions.db} in the working directory. */
    public SQLiteSessionDataStore() {
        this(new SQLiteSessionSettings());
    }

    public SQLiteSessionDataStore(SQLiteSessionSettings settings) {
        this.settings = settings;
    }

    @Override
    protected SQLiteSessionSettings settings() {
        return settings;
    }

    @Override
    protected void afterMassDelete() throws SessionDatabaseException {
        sqlite().releaseFreePagesAfterSweep();
    }

    @ManagedAttribute(value = "the SQLite database file, as configured", readonly = true)
    public String getDatabaseFile() {
        return settings.getDatabaseFile();
    }

    @ManagedAttribute(value = "SQLite's synchronous mode for commits", readonly = true)
    public String getSynchronous() {
        return settings.getSynchronous();
    }

    @ManagedAttribute(
            value = "ms a write waits for another process's lock, and a read for a connection",
            readonly = true)
    public int getBusyTimeoutMs() {
        return settings.getBusyTimeoutMs();
    }

    @ManagedAttribute(value = "the most read connections open at once", readonly = true)
    public int getMaxReaders() {
        return settings.getMaxReaders();
    }

    @ManagedAttribute(
            value = "who checkpoints the write-ahead log: STORE, or EXTERNAL (another process, such as Litestream)",
            readonly = true)
    public String getCheckpoints() {
        return settings.getCheckpoints();
    }

    @ManagedAttribute(value = "SQLite's journal mode (wal)", readonly = true)
    public String getJournalMode() throws SessionDatabaseException {
        return sqlite().journalMode();
    }

    @ManagedAttribute(value = "schema version of the session table layout", readonly = true)
    public int getSchemaVersion() throws SessionDatabaseException {
        return admin().schemaVersion();
    }

    @ManagedAttribute(value = "size of the database file in bytes", readonly = true)
    public long getFileSizeBytes() {
        return sqlite().fileBytes();
    }

    @ManagedAttribute(value = "size of the write-ahead log in bytes", readonly = true)
    public long getWalSizeBytes() {
        return sqlite().walBytes();
    }

    @ManagedAttribute(value = "checkpoints that restarted the WAL because it outgrew 4,000 pages", readonly = true)
    public long getForcedCheckpoints() {
        return sqlite().forcedCheckpoints();
    }

    @ManagedAttribute(
            value = "why writes are refused: the database file was deleted or replaced while in use (null while it"
                    + " is the file opened)",
            readonly = true)
    public String getDatabaseFileLost() {
        return sqlite().fileLost();
    }

    @ManagedOperation(
            value = "copy the live database to a file with SQLite's online backup; an existing file is replaced only"
                    + " with overwrite=true",
            impact = "ACTION")
    public String backup(
            @Name(value = "file", description = "the backup file to write") String file,
            @Name(value = "overwrite", description = "replace the file if it exists") boolean overwrite)
            throws SessionDatabaseException {
        Path target = Path.of(file);
        admin().backup(target, overwrite, Progress.NONE);
        return "backed up " + sqlite().file() + " to " + target.toAbsolutePath();
    }

    /** Whether the checkpointer has dealt with every write so far, for tests. */
    boolean checkpointsCaughtUp() {
        return sqlite().checkpointsCaughtUp();
    }

    /** The open file; fails while the store is stopped. Its settings opened it, so it is SQLite's. */
    private SQLiteDatabase sqlite() {
        return (SQLiteDatabase) database();
    }
}
