package io.github.jettysqlite.sessions;

import java.nio.file.Path;

/**
 * Builds an {@link SQLiteSessionDataStore} for each context, all on one file. In embedded code, {@code
 * server.addBean(new SQLiteSessionDataStoreFactory(Path.of("sessions.db")))} puts every context's sessions in that
 * file; in {@code jetty.xml}, give it an {@link SQLiteSessionSettings} as its argument.
 */
public class SQLiteSessionDataStoreFactory extends SessionTableDataStoreFactory<SQLiteSessionSettings> {
    /** Sessions in {@code sessions.db} in the working directory. */
    public SQLiteSessionDataStoreFactory() {
        this(new SQLiteSessionSettings());
    }

    public SQLiteSessionDataStoreFactory(Path databaseFile) {
        this(new SQLiteSessionSettings(databaseFile));
    }

    public SQLiteSessionDataStoreFactory(SQLiteSessionSettings settings) {
        super(settings);
    }

    @Override
    protected SessionTableDataStore newStore(SQLiteSessionSettings settings) {
        return new SQLiteSessionDataStore(settings);
    }
}
