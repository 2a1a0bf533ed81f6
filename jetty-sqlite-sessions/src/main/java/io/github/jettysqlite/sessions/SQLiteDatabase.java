package io.github.jettysqlite.sessions;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.UnaryOperator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.sqlite.SQLiteConfig;

/**
 * One open SQLite file: its writer, its readers and the pragmas they run with.
 *
 * <p>Every store that names the same file, one per context, shares one instance, so a server holds one writer per
 * file however many contexts it runs. Stores {@link #acquire acquire} and {@link #release release} it; the last
 * release closes every connection, and a later acquire opens the file anew, so a store survives its context being
 * stopped and started again.
 */
final class SQLiteDatabase implements SessionDatabase {
    private static final Logger LOG = LoggerFactory.getLogger(SQLiteDatabase.class);
    private static final Map<Path, SQLiteDatabase> OPEN = new HashMap<>();

    private final DatabaseSettings settings;
    private final Housekeeping housekeeping;
    private final GroupCommitWriter writer;
    private final ReaderPool readers;
    private final FileIdentity identity;
    private final Set<String> readyTables = new HashSet<>();
    private int users;

    private SQLiteDatabase(DatabaseSettings settings, CachedConnection writerConnection) {
        this.settings = settings;
        this.housekeeping = new Housekeeping(settings);
        this.writer = new GroupCommitWriter(writerConnection, this::connect, housekeeping::afterCommit);
        this.readers = new ReaderPool(this::connect, settings.maxReaders(), settings.busyTimeoutMs());
        this.identity = FileIdentity.of(settings.file());
    }

    /**
     * Opens the file, or joins the instance already open on it, and makes sure it holds {@code table}.
     *
     * @throws SessionDatabaseException naming the file and the cause when it cannot be used, or when it is already
     *     open with other settings
     */
    static SQLiteDatabase acquire(DatabaseSettings settings, SessionTable table) throws SessionDatabaseException {
        return acquire(settings, table, false, TableUse.SERVE);
    }

    /**
     * As {@link #acquire(DatabaseSettings, SessionTable)}, but when the file is already open, joins it with
     * whatever settings it has (administration inside a running server takes the server's settings).
     */
    static SQLiteDatabase acquire(DatabaseSettings settings, SessionTable table, boolean joinOpenSettings, TableUse use)
            throws SessionDatabaseException {
        synchronized (OPEN) {
            SQLiteDatabase database = OPEN.get(settings.file());
            if (database == null) {
                database = open(settings);
                OPEN.put(settings.file(), database);
            } else if (!joinOpenSettings && !database.settings.equals(settings)) {
                throw new SessionDatabaseException(
                        "Session database " + settings.file() + " is already open with " + describe(database.settings)
                                + "; every store on one file must use the same settings, but this one asks for "
                                + describe(settings),
                        null);
            }
            database.users++;
            try {
                database.ensureTable(table, use);
            } catch (SessionDatabaseException e) {
                database.release();
                throw e;
            }
            return database;
        }
    }

    @Override
    public SqlDialect dialect() {
        return SqlDialect.SQLITE;
    }

    @Override
    public String location() {
        return settings.file().toString();
    }

    /** Gives back one use; the last one closes the file. A release beyond the uses taken is ignored. */
    @Override
    public void release() {
        synchronized (OPEN) {
            if (users <= 0) {
                LOG.warn("Session database {} released more often than acquired; ignored", settings.file());
                return;
            }
            if (--users > 0) {
                return;
            }
            OPEN.remove(settings.file(), this);
            readers.close();
            try {
                writer.exclusive(housekeeping::optimize);
            } catch (SQLException e) {
                LOG.debug("Closing {}: the writer was already unusable", settings.file(), e);
            }
            try {
                writer.close();
            } catch (SQLException ignored) {
                // every transaction has committed or rolled back by now; a failing close loses nothing
            }
        }
    }

    DatabaseSettings settings() {
        return settings;
    }

    /** Runs the work in a write transaction, possibly shared with concurrent writers (group commit). */
    @Override
    public <R> R write(SqlWork<R> work) throws SessionDatabaseException {
        identity.requireUnchanged();
        try {
            return writer.write(work);
        } catch (SQLException | RuntimeException e) {
            throw DatabaseErrors.describe(settings, e);
        }
    }

    /** Runs the work on a read connection; it sees every transaction committed before it started. */
    @Override
    public <R> R read(SqlWork<R> work) throws SessionDatabaseException {
        try {
            return readers.read(work);
        } catch (SQLException | RuntimeException e) {
            throw DatabaseErrors.describe(settings, e);
        }
    }

    @Override
    public String journalMode() throws SessionDatabaseException {
        return read(c -> queryString(c, "PRAGMA journal_mode"));
    }

    @Override
    public long fileBytes() {
        return sizeOf(settings.file());
    }

    @Override
    public long walBytes() {
        return sizeOf(Housekeeping.walFile(settings.file()));
    }

    /** Why the path no longer names the file opened (deleted, replaced), or null while it does. */
    String fileLost() {
        return identity.lost();
    }

    Housekeeping housekeeping() {
        return housekeeping;
    }

    @Override
    public long forcedCheckpoints() {
        return housekeeping.forcedCheckpoints();
    }

    /**
     * Returns the pages that deletes freed to the file system, when the file was created for that: a bounded
     * number per write transaction, so that requests waiting to write get the lock in between, however many pages a
     * mass purge freed.
     */
    @Override
    public void releaseFreePages() throws SessionDatabaseException {
        boolean more;
        do {
            more = write(housekeeping::incrementalVacuumStep);
        } while (more);
    }

    @Override
    public void vacuum() throws SessionDatabaseException {
        try {
            writer.exclusive(c -> {
                // VACUUM refuses to run while any statement of its connection is mid-way, and sqlite-jdbc
                // leaves some cached ones so; they are closed and prepared again on their next use.
                c.forgetStatements();
                try (java.sql.Statement vacuum = c.connection().createStatement()) {
                    vacuum.executeUpdate("VACUUM");
                }
                return null;
            });
        } catch (SQLException e) {
            throw DatabaseErrors.describe(settings, e);
        }
    }

    @Override
    public List<String> integrityCheck() throws SessionDatabaseException {
        return read(Housekeeping::integrityCheck);
    }

    /**
     * Online backup on a connection of its own, so neither the writer nor the readers wait for it. The copy is
     * written beside the target and moved into place only once it passed its integrity check, so a failed backup
     * never leaves a half-written file where a good one was.
     */
    @Override
    public void backup(Path target, boolean overwrite, SessionDatabaseAdmin.Progress progress)
            throws SessionDatabaseException {
        backup(settings, target, overwrite, progress);
    }

    /** The backup of the file the settings name, from a read-only connection of its own. */
    static void backup(
            DatabaseSettings settings, Path target, boolean overwrite, SessionDatabaseAdmin.Progress progress)
            throws SessionDatabaseException {
        Path copy = target.toAbsolutePath().normalize();
        refuseBackupOntoItself(settings.file(), copy);
        if (Files.exists(copy, LinkOption.NOFOLLOW_LINKS) && !overwrite) {
            throw new SessionDatabaseException(
                    "Backup target " + copy + " exists; ask to overwrite it (--force, or overwrite=true)", null);
        }
        Path partial = null;
        try {
            Files.createDirectories(copy.getParent());
            partial = Files.createTempFile(copy.getParent(), "." + copy.getFileName(), ".partial");
            try (CachedConnection source = ReadOnlySQLiteDatabase.connect(settings)) {
                Housekeeping.backup(source, partial, progress);
            }
            Files.move(partial, copy, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException | SQLException | RuntimeException e) {
            throw new SessionDatabaseException(
                    "Backup of session database " + settings.file() + " to " + copy + " failed: " + e.getMessage(), e);
        } finally {
            deleteQuietly(partial);
        }
    }

    /** Compares real files, so a symbolic or hard link to the database (or its WAL) is refused too. */
    private static void refuseBackupOntoItself(Path database, Path copy) throws SessionDatabaseException {
        for (Path own : List.of(
                database, Housekeeping.walFile(database), database.resolveSibling(database.getFileName() + "-shm"))) {
            try {
                if (copy.equals(own) || (Files.exists(copy) && Files.exists(own) && Files.isSameFile(copy, own))) {
                    throw new SessionDatabaseException(
                            "Cannot back up session database " + database + " onto itself (" + copy + ")", null);
                }
            } catch (IOException e) {
                throw new SessionDatabaseException(
                        "Cannot compare backup target " + copy + " with " + own + ": " + e, e);
            }
        }
    }

    private static void deleteQuietly(Path file) {
        if (file == null) {
            return;
        }
        try {
            Files.deleteIfExists(file);
            Files.deleteIfExists(file.resolveSibling(file.getFileName() + "-journal"));
        } catch (IOException ignored) {
            // a stray partial file is named as one and harms nothing
        }
    }

    static long sizeOf(Path file) {
        try {
            return Files.exists(file) ? Files.size(file) : 0;
        } catch (IOException e) {
            return 0;
        }
    }

    ReaderPool readers() {
        return readers;
    }

    GroupCommitWriter writer() {
        return writer;
    }

    private void ensureTable(SessionTable table, TableUse use) throws SessionDatabaseException {
        if (readyTables.contains(table.name())) {
            return;
        }
        if (use != TableUse.SERVE) {
            read(c -> {
                if (use == TableUse.MAINTAIN) {
                    table.requireCurrent(c);
                } else {
                    table.requireReadable(c);
                }
                return null;
            });
            return;
        }
        write(c -> {
            table.ensureSchema(c);
            return null;
        });
        readyTables.add(table.name());
        try {
            writer.exclusive(housekeeping::optimize);
        } catch (SQLException e) {
            throw DatabaseErrors.describe(settings, e);
        }
    }

    private static SQLiteDatabase open(DatabaseSettings settings) throws SessionDatabaseException {
        Path file = settings.file();
        checkLocation(file);
        CachedConnection writer = null;
        try {
            writer = connectTo(settings);
            Housekeeping.enableIncrementalVacuumIfNew(writer);
            String mode = queryString(writer, "PRAGMA journal_mode = WAL");
            if (!"wal".equalsIgnoreCase(mode)) {
                throw new SessionDatabaseException(
                        "Session database " + file + " cannot use write-ahead logging (journal mode is " + mode
                                + "); it must be on a local file system",
                        null);
            }
            return new SQLiteDatabase(settings, writer);
        } catch (SQLException | RuntimeException e) {
            if (writer != null) {
                try {
                    writer.close();
                } catch (SQLException ignored) {
                    // the original failure is the one worth reporting
                }
            }
            throw DatabaseErrors.describe(settings, e);
        }
    }

    /** Checks what SQLite would otherwise report vaguely: a missing or read-only directory or file. */
    private static void checkLocation(Path file) throws SessionDatabaseException {
        Path directory = file.getParent();
        try {
            Files.createDirectories(directory);
        } catch (IOException e) {
            throw new SessionDatabaseException(
                    "Cannot create the directory " + directory + " for session database " + file + ": " + e, e);
        }
        if (Files.isDirectory(file)) {
            throw new SessionDatabaseException("Session database " + file + " is a directory, not a file", null);
        }
        if (!Files.isWritable(directory)) {
            throw new SessionDatabaseException(
                    "Session database " + file + " cannot be used: its directory " + directory
                            + " is not writable (SQLite keeps its -wal and -shm files there)",
                    null);
        }
        if (Files.exists(file) && !Files.isWritable(file)) {
            throw new SessionDatabaseException("Session database " + file + " is read-only", null);
        }
    }

    private CachedConnection connect() throws SQLException {
        return connectTo(settings);
    }

    /**
     * Wraps every connection this class opens. The identity, except in tests that inject faults a real file cannot
     * produce on demand (a COMMIT that fails, say) around a real connection.
     */
    static volatile UnaryOperator<Connection> connectionDecorator = UnaryOperator.identity();

    static CachedConnection connectTo(DatabaseSettings settings) throws SQLException {
        SQLiteConfig config = new SQLiteConfig();
        config.setBusyTimeout(settings.busyTimeoutMs());
        // Otherwise sqlite-jdbc runs "SELECT last_insert_rowid()" after every INSERT, inside the writer lock.
        config.setGetGeneratedKeys(false);
        CachedConnection c = new CachedConnection(
                connectionDecorator.apply(config.createConnection("jdbc:sqlite:" + settings.file())));
        try {
            c.execute("PRAGMA synchronous = " + settings.synchronous().name());
            // Reading the schema proves the file is an SQLite database now, not on the first request.
            queryString(c, "SELECT count(*) FROM sqlite_schema");
            return c;
        } catch (SQLException | RuntimeException e) {
            c.close();
            throw e;
        }
    }

    static String queryString(CachedConnection c, String sql) throws SQLException {
        try (Statement statement = c.connection().createStatement();
                ResultSet row = statement.executeQuery(sql)) {
            return row.next() ? row.getString(1) : null;
        }
    }

    private static String describe(DatabaseSettings s) {
        return "synchronous=" + s.synchronous().name().toLowerCase(Locale.ROOT) + ", busyTimeoutMs=" + s.busyTimeoutMs()
                + ", maxReaders=" + s.maxReaders();
    }
}
