package io.github.jettysqlite.sessions.internal;

import io.github.jettysqlite.sessions.SessionDatabaseException;
import java.nio.file.Path;
import java.util.List;

/**
 * What a database kept in one file can do for its operator, and a server cannot: sizes, backup, vacuum, integrity
 * check. An SQLite file offers it; on PostgreSQL these are the server's own tools' jobs.
 */
public interface FileMaintenance {
    /** Told how far a long task has come: {@code done} of {@code total} units. */
    @FunctionalInterface
    interface ProgressListener {
        ProgressListener NONE = (done, total) -> {};

        void update(long done, long total);
    }

    Path file();

    String journalMode() throws SessionDatabaseException;

    long fileBytes();

    /** Bytes of the write-ahead log, 0 when there is none. */
    long walBytes();

    /** Copies the live database to a file, replacing an existing one only when asked. */
    void backup(Path target, boolean overwrite, ProgressListener progress) throws SessionDatabaseException;

    /** Rebuilds the file without free pages. */
    void vacuum() throws SessionDatabaseException;

    /** Hands pages that deletes freed back to the file system, in steps that let other writers in. */
    void releaseFreePages() throws SessionDatabaseException;

    /** A single "ok" when the file is sound, otherwise each problem found. */
    List<String> integrityCheck() throws SessionDatabaseException;
}
