package io.github.jettysqlite.sessions.internal.sqlite;

import io.github.jettysqlite.sessions.Checkpoints;
import io.github.jettysqlite.sessions.Synchronous;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * What opening a database file needs. Every store that names the same file shares one open database, so they
 * must agree on these settings.
 *
 * @param file the database file, absolute and with links resolved: two spellings of one file (a symbolic link
 *     among them) share connections, and the WAL is found where SQLite puts it, beside the real file
 * @param synchronous SQLite's durability level for commits
 * @param busyTimeoutMs how long a write waits for another process's write lock before failing
 * @param maxReaders how many read connections may be open at once
 * @param checkpoints whether the store checkpoints the write-ahead log, or leaves that to another process
 */
public record SQLiteDatabaseSettings(
        Path file, Synchronous synchronous, int busyTimeoutMs, int maxReaders, Checkpoints checkpoints) {
    /** The most read connections a file may have; far above what one file's readers gain from. */
    public static final int MAX_READERS = 1024;

    public SQLiteDatabaseSettings {
        file = canonical(file);
        if (busyTimeoutMs < 0) {
            throw new IllegalArgumentException("busyTimeoutMs must be 0 or more, not " + busyTimeoutMs);
        }
        if (maxReaders < 1 || maxReaders > MAX_READERS) {
            throw new IllegalArgumentException("maxReaders must be 1 to " + MAX_READERS + ", not " + maxReaders);
        }
        if (checkpoints == null) {
            throw new IllegalArgumentException("checkpoints must be set");
        }
    }

    /** With the store's own checkpoints, as the tools open a file. */
    public SQLiteDatabaseSettings(Path file, Synchronous synchronous, int busyTimeoutMs, int maxReaders) {
        this(file, synchronous, busyTimeoutMs, maxReaders, Checkpoints.STORE);
    }

    /** The real file, as SQLite itself resolves it; for a file not yet created, its real directory. */
    public static Path canonical(Path file) {
        Path absolute = file.toAbsolutePath().normalize();
        try {
            if (Files.exists(absolute)) {
                return absolute.toRealPath();
            }
            Path parent = absolute.getParent();
            if (parent != null && Files.isDirectory(parent)) {
                return parent.toRealPath().resolve(absolute.getFileName());
            }
        } catch (IOException e) {
            // an unreadable link or directory: SQLite will report it when it opens the path as given
        }
        return absolute;
    }

    /** The write-ahead log SQLite keeps beside the (real) database file. */
    public Path wal() {
        return file.resolveSibling(file.getFileName() + "-wal");
    }

    /** How messages describe these settings when two stores disagree on them. */
    String describe() {
        return "synchronous=" + synchronous.name().toLowerCase(java.util.Locale.ROOT) + ", busyTimeoutMs="
                + busyTimeoutMs + ", maxReaders=" + maxReaders + ", checkpoints="
                + checkpoints.name().toLowerCase(java.util.Locale.ROOT);
    }
}
