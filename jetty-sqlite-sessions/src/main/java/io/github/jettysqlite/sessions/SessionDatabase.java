package io.github.jettysqlite.sessions;

import java.nio.file.Path;
import java.util.List;

/**
 * Where a store's statements run: an SQLite file ({@link SQLiteDatabase}) or a PostgreSQL server ({@link
 * PostgresDatabase}). The statements themselves come from {@link SessionTable} for either engine; this interface
 * only says how a unit of work gets a connection and a transaction, and what the engine can tell an operator.
 */
interface SessionDatabase {
    /** The SQL spoken here. */
    SqlDialect dialect();

    /** Runs the work in a write transaction; it commits when the work returns and rolls back when it throws. */
    <R> R write(SqlWork<R> work) throws SessionDatabaseException;

    /**
     * Runs work that is a single statement, atomic on its own. Where each transaction costs a round trip to a
     * server (PostgreSQL), it runs without an explicit transaction, so the statement's own commit is the only one;
     * an SQLite file gives it to its group-committing writer like any other write.
     */
    default <R> R writeStatement(SqlWork<R> work) throws SessionDatabaseException {
        return write(work);
    }

    /** Runs the work on a connection that sees every transaction committed before it started. */
    <R> R read(SqlWork<R> work) throws SessionDatabaseException;

    /** Gives back one use; the last one closes what this instance opened. */
    void release();

    /** What to name in messages: the file, or the server URL without credentials. */
    String location();

    /** The engine's journal mode, as JMX shows it. */
    String journalMode() throws SessionDatabaseException;

    /** Bytes on disk, or -1 where the engine does not tell one table's share. */
    long fileBytes();

    /** Bytes of the write-ahead log, or -1 where the engine does not keep one per database. */
    long walBytes();

    /** Checkpoints forced because the write-ahead log outgrew its bound; 0 where the server manages its own. */
    long forcedCheckpoints();

    /** Hands pages freed by deletes back to the operating system, where the engine leaves that to the caller. */
    void releaseFreePages() throws SessionDatabaseException;

    /** Copies the live database to a file, replacing an existing one only when asked. */
    void backup(Path target, boolean overwrite, SessionDatabaseAdmin.Progress progress) throws SessionDatabaseException;

    /** Rebuilds the storage without free space. */
    void vacuum() throws SessionDatabaseException;

    /** The engine's own consistency check: a single "ok" when sound, otherwise each problem found. */
    List<String> integrityCheck() throws SessionDatabaseException;
}
