package io.github.jettysqlite.benchmarks;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import io.github.jettysqlite.sessions.SQLiteSessionDataStore;
import io.github.jettysqlite.sessions.SQLiteSessionSettings;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import javax.sql.DataSource;
import org.eclipse.jetty.session.AbstractSessionDataStore;
import org.eclipse.jetty.session.DatabaseAdaptor;
import org.eclipse.jetty.session.FileSessionDataStore;
import org.eclipse.jetty.session.JDBCSessionDataStore;

/**
 * Builds every subject of the comparison on a fresh file under one directory, all with WAL and the given
 * {@code synchronous} mode, so the SQLite settings are the same for every SQLite-backed subject.
 */
final class Subjects {
    /** Subject names in the order they run; NORMAL and FULL variants of each SQLite-backed subject. */
    static final List<String> ALL = List.of(
            "sqlite-store/NORMAL",
            "sqlite-store/FULL",
            "sqlite-store-setattr/NORMAL",
            "sqlite-store-sealed/NORMAL",
            "sqlite-store-sealed-plainids/NORMAL",
            "sqlite-store-encrypted/NORMAL",
            "sqlite-store-novacuum/NORMAL",
            "jdbc-documented/NORMAL",
            "jdbc-documented/FULL",
            "jdbc-hikari/NORMAL",
            "jdbc-hikari/FULL",
            "jdbc-perthread/NORMAL",
            "jdbc-perthread/FULL",
            "file-store",
            "raw/NORMAL",
            "raw/FULL",
            "raw-perthread/NORMAL",
            "raw-perthread/FULL");

    /**
     * Subjects run only when named in {@code --subjects}: they answer one question each and would only lengthen a
     * full run (the one without checkpoints leaves a log of hundreds of MiB behind).
     */
    static final List<String> ON_REQUEST =
            List.of("sqlite-store-nocheckpoints/NORMAL", "sqlite-store-nocheckpoints/FULL");

    /** A pooled connection for every thread of the largest cell, as a well-configured server would give it. */
    static final int HIKARI_POOL_SIZE = 32;

    private Subjects() {}

    static Subject open(String name, Path dir) throws Exception {
        String slug = name.replace('/', '-').toLowerCase(Locale.ROOT);
        String synchronous = name.contains("/") ? name.substring(name.indexOf('/') + 1) : "NORMAL";
        Path file = dir.resolve(slug + ".db");
        return switch (name.substring(0, name.contains("/") ? name.indexOf('/') : name.length())) {
            case "sqlite-store" -> new StoreSubject(name, sqliteStore(file, synchronous), null, file);
            case "sqlite-store-setattr" -> {
                SQLiteSessionSettings settings = settings(file, synchronous);
                settings.setSaveInPlaceChanges(false);
                yield new StoreSubject(name, new SQLiteSessionDataStore(settings), null, file);
            }
            case "sqlite-store-sealed" -> {
                // A key as an operator sets it: rows sealed and ids protected (the default with a key).
                SQLiteSessionSettings settings = settings(file, synchronous);
                settings.setAttributeKey("file:" + sealingKey(dir));
                yield new StoreSubject(name, new SQLiteSessionDataStore(settings), null, file);
            }
            case "sqlite-store-sealed-plainids" -> {
                // Sealing alone, ids kept as they are: the cost of protected ids is the difference to the above.
                SQLiteSessionSettings settings = settings(file, synchronous);
                settings.setAttributeKey("file:" + sealingKey(dir));
                settings.setProtectSessionIds(false);
                yield new StoreSubject(name, new SQLiteSessionDataStore(settings), null, file);
            }
            case "sqlite-store-encrypted" -> {
                SQLiteSessionSettings settings = settings(file, synchronous);
                settings.setAttributeKey("file:" + sealingKey(dir));
                settings.setEncryptAttributes(true);
                yield new StoreSubject(name, new SQLiteSessionDataStore(settings), null, file);
            }
            case "sqlite-store-novacuum" -> {
                withoutAutoVacuum(file);
                yield new StoreSubject(name, sqliteStore(file, synchronous), null, file);
            }
            case "sqlite-store-nocheckpoints" -> {
                // Checkpoints left to nobody: the log grows for the whole cell. What the store's own checkpoints cost
                // a write (its latency above all) is the difference to sqlite-store.
                SQLiteSessionSettings settings = settings(file, synchronous);
                settings.setCheckpoints("EXTERNAL");
                yield new StoreSubject(name, new SQLiteSessionDataStore(settings), null, file);
            }
            case "jdbc-documented" -> new StoreSubject(name, jdbcDocumented(file, synchronous), null, file);
            case "jdbc-hikari" -> {
                HikariDataSource pool = hikari(file, synchronous, HIKARI_POOL_SIZE);
                yield new StoreSubject(name, jdbc(pool), pool, file);
            }
            case "jdbc-perthread" -> {
                PerThreadDataSource connections = new PerThreadDataSource(url(file, synchronous));
                yield new StoreSubject(name, jdbc(connections), connections, file);
            }
            case "file-store" -> new StoreSubject(name, fileStore(Files.createDirectories(dir.resolve(slug))), null);
            case "raw" -> new RawSubject(name, file, synchronous, false);
            case "raw-perthread" -> new RawSubject(name, file, synchronous, true);
            default ->
                throw new IllegalArgumentException(
                        "unknown subject " + name + "; known: " + ALL + " and, on request, " + ON_REQUEST);
        };
    }

    /** This library's store, configured as its README says: a file and a synchronous mode. */
    static SQLiteSessionDataStore sqliteStore(Path file, String synchronous) {
        return new SQLiteSessionDataStore(settings(file, synchronous));
    }

    private static SQLiteSessionSettings settings(Path file, String synchronous) {
        SQLiteSessionSettings settings = new SQLiteSessionSettings(file);
        settings.setSynchronous(synchronous);
        return settings;
    }

    /**
     * A file the store will not give incremental vacuum: it chooses it only for an empty file, and this one already
     * holds a table. Shows what the pointer-map pages of {@code auto_vacuum=INCREMENTAL} cost each write.
     */
    private static void withoutAutoVacuum(Path file) throws SQLException {
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + file);
                Statement s = c.createStatement()) {
            s.executeUpdate("PRAGMA auto_vacuum = NONE");
            s.executeUpdate("CREATE TABLE IF NOT EXISTS bench_marker (x INTEGER)");
        }
    }

    /** A fresh random sealing key in a file, as an operator would keep one. */
    private static Path sealingKey(Path dir) throws IOException {
        byte[] key = new byte[32];
        new SecureRandom().nextBytes(key);
        return Files.writeString(dir.resolve("sealing.key"), Base64.getEncoder().encodeToString(key));
    }

    /**
     * Jetty's JDBC store configured as Jetty documents it: a driver class and a URL, so every call opens a new
     * connection. The URL carries the same pragmas as every other subject (sqlite-jdbc applies them on connect).
     */
    static JDBCSessionDataStore jdbcDocumented(Path file, String synchronous) {
        DatabaseAdaptor adaptor = new DatabaseAdaptor();
        adaptor.setDriverInfo("org.sqlite.JDBC", url(file, synchronous));
        JDBCSessionDataStore store = new JDBCSessionDataStore();
        store.setDatabaseAdaptor(adaptor);
        return store;
    }

    /**
     * Jetty's JDBC store at its best: a data source that keeps connections open (a HikariCP pool, or one connection
     * per thread), WAL, a busy timeout.
     */
    static JDBCSessionDataStore jdbc(DataSource connections) {
        DatabaseAdaptor adaptor = new DatabaseAdaptor();
        adaptor.setDatasource(connections);
        JDBCSessionDataStore store = new JDBCSessionDataStore();
        store.setDatabaseAdaptor(adaptor);
        return store;
    }

    static HikariDataSource hikari(Path file, String synchronous, int poolSize) {
        HikariConfig config = new HikariConfig();
        config.setJdbcUrl(url(file, synchronous));
        config.setMaximumPoolSize(poolSize);
        config.setMinimumIdle(poolSize);
        config.setPoolName("bench-" + file.getFileName());
        return new HikariDataSource(config);
    }

    static AbstractSessionDataStore fileStore(Path dir) {
        FileSessionDataStore store = new FileSessionDataStore();
        store.setStoreDir(dir.toFile());
        return store;
    }

    static String url(Path file, String synchronous) {
        return "jdbc:sqlite:" + file + "?journal_mode=WAL&synchronous=" + synchronous + "&busy_timeout=5000";
    }
}
