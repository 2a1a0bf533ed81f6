package io.github.jettysqlite.sessions;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.function.Consumer;

/** Stores on a real SQLite file. */
public final class SQLiteFixture extends StoreFixture {
    private final Path file;

    public SQLiteFixture(Path file) {
        this.file = file;
    }

    /** The file {@code sessions.db} in the directory. */
    public static SQLiteFixture in(Path dir) {
        return new SQLiteFixture(dir.resolve("sessions.db"));
    }

    public Path file() {
        return file;
    }

    @Override
    public SQLiteSessionDataStore store() throws Exception {
        return (SQLiteSessionDataStore) super.store();
    }

    @Override
    public SQLiteSessionDataStore store(String node, String contextPath, String vhost) throws Exception {
        return (SQLiteSessionDataStore) super.store(node, contextPath, vhost);
    }

    @Override
    public SQLiteSessionDataStore store(
            String node, String contextPath, String vhost, Consumer<SessionTableSettings> setup) throws Exception {
        return (SQLiteSessionDataStore) super.store(node, contextPath, vhost, setup);
    }

    @Override
    public SessionTableDataStore newStore(Consumer<SessionTableSettings> setup) {
        SQLiteSessionSettings settings = new SQLiteSessionSettings(file);
        setup.accept(settings);
        return new SQLiteSessionDataStore(settings);
    }

    /** A store whose SQLite settings the test sets. */
    public SQLiteSessionDataStore sqliteStore(
            String node, String contextPath, String vhost, Consumer<SQLiteSessionSettings> setup) throws Exception {
        SQLiteSessionSettings settings = new SQLiteSessionSettings(file);
        setup.accept(settings);
        return start(new SQLiteSessionDataStore(settings), node, contextPath, vhost);
    }

    @Override
    public Connection connect() throws SQLException {
        return DriverManager.getConnection("jdbc:sqlite:" + file);
    }

    @Override
    public String database() {
        return file.toString();
    }

    @Override
    public boolean isSQLite() {
        return true;
    }
}
