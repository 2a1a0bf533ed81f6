package io.github.jettysqlite.sessions;

import java.nio.file.Path;
import org.eclipse.jetty.session.AbstractSessionDataStoreFactory;
import org.eclipse.jetty.session.SessionDataStore;
import org.eclipse.jetty.session.SessionManager;

/**
 * Builds an {@link SQLiteSessionDataStore} for each context. A plain bean, so {@code jetty.xml} can create it with
 * {@code <New>} and {@code <Set>}; in embedded code, {@code server.addBean(new SQLiteSessionDataStoreFactory(path))}
 * puts every context's sessions in that file.
 *
 * <p>Settings are validated when each store starts: an invalid one stops the context from starting with a message
 * that names it.
 */
public class SQLiteSessionDataStoreFactory extends AbstractSessionDataStoreFactory {
    private String databaseFile = SQLiteSessionDataStore.DEFAULT_DATABASE_FILE;
    private String tableName = SQLiteSessionDataStore.DEFAULT_TABLE_NAME;
    private String synchronous = SQLiteSessionDataStore.DEFAULT_SYNCHRONOUS;
    private int busyTimeoutMs = SQLiteSessionDataStore.DEFAULT_BUSY_TIMEOUT_MS;
    private int maxReaders = SQLiteSessionDataStore.DEFAULT_MAX_READERS;
    private String deserializationFilter = SQLiteSessionDataStore.DEFAULT_DESERIALIZATION_FILTER;

    /** Keeps sessions in {@code sessions.db} in the working directory. */
    public SQLiteSessionDataStoreFactory() {}

    public SQLiteSessionDataStoreFactory(Path databaseFile) {
        setDatabaseFile(databaseFile.toString());
    }

    @Override
    public SessionDataStore getSessionDataStore(SessionManager manager) {
        SQLiteSessionDataStore store = new SQLiteSessionDataStore();
        store.setDatabaseFile(Path.of(databaseFile));
        store.setTableName(tableName);
        store.setSynchronous(synchronous);
        store.setBusyTimeoutMs(busyTimeoutMs);
        store.setMaxReaders(maxReaders);
        store.setDeserializationFilter(deserializationFilter);
        store.setGracePeriodSec(getGracePeriodSec());
        store.setSavePeriodSec(getSavePeriodSec());
        return store;
    }

    public String getDatabaseFile() {
        return databaseFile;
    }

    /** The database file; missing parent directories are created. Default {@code sessions.db}. */
    public void setDatabaseFile(String databaseFile) {
        this.databaseFile = databaseFile;
    }

    public String getTableName() {
        return tableName;
    }

    /** The table name, matching {@code [A-Za-z_][A-Za-z0-9_]{0,62}}. Default {@code jetty_sessions}. */
    public void setTableName(String tableName) {
        this.tableName = tableName;
    }

    public String getSynchronous() {
        return synchronous;
    }

    /** OFF, NORMAL (default), FULL or EXTRA; see {@link Synchronous}. */
    public void setSynchronous(String synchronous) {
        this.synchronous = synchronous;
    }

    public int getBusyTimeoutMs() {
        return busyTimeoutMs;
    }

    /** How long a write waits for another process's write lock before failing. Default 5000. */
    public void setBusyTimeoutMs(int busyTimeoutMs) {
        this.busyTimeoutMs = busyTimeoutMs;
    }

    public int getMaxReaders() {
        return maxReaders;
    }

    /** The most read connections open at once per database file. Default 8. */
    public void setMaxReaders(int maxReaders) {
        this.maxReaders = maxReaders;
    }

    public String getDeserializationFilter() {
        return deserializationFilter;
    }

    /**
     * The {@link java.io.ObjectInputFilter} pattern attributes are deserialized through; see {@link
     * SQLiteSessionDataStore#setDeserializationFilter(String)}. To add to the default rather than replace it, start
     * from {@link SQLiteSessionDataStore#DEFAULT_DESERIALIZATION_FILTER}.
     */
    public void setDeserializationFilter(String deserializationFilter) {
        this.deserializationFilter = deserializationFilter;
    }
}
