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
    private String url;
    private String user;
    private String password;
    private javax.sql.DataSource dataSource;
    private int poolSize = SQLiteSessionDataStore.DEFAULT_POOL_SIZE;
    private String deserializationFilter = SQLiteSessionDataStore.DEFAULT_DESERIALIZATION_FILTER;
    private String attributeKey;
    private String attributeOldKeys;
    private boolean acceptUnsealedRows = true;
    private boolean saveInPlaceChanges = true;

    /** Keeps sessions in {@code sessions.db} in the working directory. */
    public SQLiteSessionDataStoreFactory() {}

    public SQLiteSessionDataStoreFactory(Path databaseFile) {
        setDatabaseFile(databaseFile.toString());
    }

    /**
     * Checks every setting now, so that {@code jetty.xml} can stop the server at start-up, before any context
     * tries to open the database, instead of each context failing on its own.
     *
     * @throws IllegalArgumentException naming the first setting that is wrong and why
     */
    public void validate() {
        newStore().validateSettings();
    }

    @Override
    public SessionDataStore getSessionDataStore(SessionManager manager) {
        return newStore();
    }

    private SQLiteSessionDataStore newStore() {
        SQLiteSessionDataStore store = new SQLiteSessionDataStore();
        store.setDatabaseFile(Path.of(databaseFile));
        store.setTableName(tableName);
        store.setSynchronous(synchronous);
        store.setBusyTimeoutMs(busyTimeoutMs);
        store.setMaxReaders(maxReaders);
        store.setUrl(url);
        store.setUser(user);
        store.setPassword(password);
        store.setDataSource(dataSource);
        store.setPoolSize(poolSize);
        store.setDeserializationFilter(deserializationFilter);
        store.setAttributeKey(attributeKey);
        store.setAttributeOldKeys(attributeOldKeys);
        store.setAcceptUnsealedRows(acceptUnsealedRows);
        store.setSaveInPlaceChanges(saveInPlaceChanges);
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

    public String getUrl() {
        return url;
    }

    /**
     * A JDBC URL to keep sessions at instead of the file: {@code jdbc:postgresql://host:port/database} for a
     * PostgreSQL server shared by several machines, or {@code jdbc:sqlite:path}. Empty or null (the default) means
     * {@link #setDatabaseFile the file}.
     */
    public void setUrl(String url) {
        this.url = url;
    }

    public String getUser() {
        return user;
    }

    /** The PostgreSQL user, when the URL does not name one. */
    public void setUser(String user) {
        this.user = user;
    }

    /** The PostgreSQL password, when the URL does not hold one. */
    public void setPassword(String password) {
        this.password = password;
    }

    public javax.sql.DataSource getDataSource() {
        return dataSource;
    }

    /** An application-owned, pooled DataSource on PostgreSQL, instead of a URL; the store never closes it. */
    public void setDataSource(javax.sql.DataSource dataSource) {
        this.dataSource = dataSource;
    }

    public int getPoolSize() {
        return poolSize;
    }

    /** With a PostgreSQL URL, the most connections the pool opens (one pool per URL and user). Default 10. */
    public void setPoolSize(int poolSize) {
        this.poolSize = poolSize;
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

    public String getAttributeKey() {
        return attributeKey;
    }

    /** Where the key that seals attribute blobs is: {@code env:NAME} or {@code file:PATH}; see {@link SQLiteSessionDataStore#setAttributeKey(String)}. */
    public void setAttributeKey(String attributeKey) {
        this.attributeKey = attributeKey;
    }

    public String getAttributeOldKeys() {
        return attributeOldKeys;
    }

    /** Keys that still verify but no longer seal, comma-separated; see {@link SQLiteSessionDataStore#setAttributeOldKeys(String)}. */
    public void setAttributeOldKeys(String attributeOldKeys) {
        this.attributeOldKeys = attributeOldKeys;
    }

    public boolean isAcceptUnsealedRows() {
        return acceptUnsealedRows;
    }

    /** Whether unsealed rows are still read while a key is configured; see {@link SQLiteSessionDataStore#setAcceptUnsealedRows(boolean)}. */
    public void setAcceptUnsealedRows(boolean acceptUnsealedRows) {
        this.acceptUnsealedRows = acceptUnsealedRows;
    }

    public boolean isSaveInPlaceChanges() {
        return saveInPlaceChanges;
    }

    /** Whether attributes changed in place are saved; see {@link SQLiteSessionDataStore#setSaveInPlaceChanges(boolean)}. */
    public void setSaveInPlaceChanges(boolean saveInPlaceChanges) {
        this.saveInPlaceChanges = saveInPlaceChanges;
    }
}
