package io.github.jettysqlite.sessions.internal.sqlite;

import io.github.jettysqlite.sessions.SessionDatabaseException;
import io.github.jettysqlite.sessions.internal.CachedConnection;
import io.github.jettysqlite.sessions.internal.DatabaseLocation;
import io.github.jettysqlite.sessions.internal.FileMaintenance.ProgressListener;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import org.sqlite.SQLiteConfig;
import org.sqlite.SQLiteConnection;

/**
 * An online backup of a session database file, on a read-only connection of its own so that neither the writer
 * nor the readers wait for it.
 *
 * <p>SQLite's backup API copies page by page and restarts whenever another connection writes between its steps,
 * so on a busy server it would never end. Holding one read transaction on the source across every step pins the
 * snapshot (WAL lets writers go on meanwhile): the copy finishes, and holds exactly what was committed when it
 * began. The copy is written beside the target and moved into place only once it passed its integrity check, so a
 * failed backup never leaves a half-written file where a good one was.
 */
final class SQLiteBackup {
    private static final int PAGES_PER_STEP = 256;

    private SQLiteBackup() {}

    static void copy(SQLiteDatabaseSettings settings, Path target, boolean overwrite, ProgressListener progress)
            throws SessionDatabaseException {
        Path copy = target.toAbsolutePath().normalize();
        try {
            DatabaseLocation.requireOpenable(copy);
        } catch (IllegalArgumentException e) {
            throw new SessionDatabaseException("Backup target refused: " + e.getMessage(), null);
        }
        refuseOntoItself(settings, copy);
        if (Files.exists(copy, LinkOption.NOFOLLOW_LINKS) && !overwrite) {
            throw new SessionDatabaseException(
                    "Backup target " + copy + " exists; ask to overwrite it (--force, or overwrite=true)", null);
        }
        Path partial = null;
        try {
            Files.createDirectories(copy.getParent());
            partial = Files.createTempFile(copy.getParent(), "." + copy.getFileName(), ".partial");
            try (CachedConnection source = SQLiteConnections.openReadOnly(settings)) {
                copyFromOneSnapshot(source, partial, progress);
            }
            requireIntact(partial);
            Files.move(partial, copy, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException | SQLException | RuntimeException e) {
            throw new SessionDatabaseException(
                    "Backup of session database " + settings.file() + " to " + copy + " failed: " + e.getMessage(), e);
        } finally {
            deleteQuietly(partial);
        }
    }

    private static void copyFromOneSnapshot(CachedConnection source, Path target, ProgressListener progress)
            throws SQLException {
        int status;
        try (Statement snapshot = source.connection().createStatement()) {
            snapshot.execute("BEGIN");
            try {
                snapshot.executeQuery("SELECT count(*) FROM sqlite_schema").close();
                status = ((SQLiteConnection) source.connection())
                        .getDatabase()
                        .backup(
                                "main",
                                target.toString(),
                                (remaining, pages) -> progress.update(pages - remaining, pages),
                                10,
                                100,
                                PAGES_PER_STEP);
            } finally {
                snapshot.execute("ROLLBACK");
            }
        }
        if (status != 0) {
            throw new SQLException("SQLite backup returned code " + status);
        }
    }

    private static void requireIntact(Path copy) throws SQLException {
        try (Connection c = new SQLiteConfig().createConnection("jdbc:sqlite:" + copy)) {
            List<String> problems = Housekeeping.integrityCheck(c);
            if (!problems.equals(List.of("ok"))) {
                throw new SQLException("the copy fails its integrity check: " + problems);
            }
        }
    }

    /** Compares real files, so a symbolic or hard link to the database (or its WAL) is refused too. */
    private static void refuseOntoItself(SQLiteDatabaseSettings settings, Path copy) throws SessionDatabaseException {
        Path database = settings.file();
        for (Path own : List.of(database, settings.wal(), database.resolveSibling(database.getFileName() + "-shm"))) {
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
}
