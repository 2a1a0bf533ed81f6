package io.github.jettysqlite.sessions.internal.sqlite;

import io.github.jettysqlite.sessions.SessionDatabaseException;
import io.github.jettysqlite.sessions.internal.table.SchemaException;
import java.nio.file.Path;
import org.sqlite.SQLiteErrorCode;
import org.sqlite.SQLiteException;

/** Turns SQLite's result codes into sentences that name the database file and say what went wrong. */
final class SQLiteErrors {
    private SQLiteErrors() {}

    static SessionDatabaseException describe(SQLiteDatabaseSettings settings, Exception e) {
        if (e instanceof SessionDatabaseException described) {
            return described;
        }
        Path file = settings.file();
        if (e instanceof SchemaException) {
            return new SessionDatabaseException("Session database " + file + " " + e.getMessage(), e);
        }
        String cause = cause(settings, e);
        return new SessionDatabaseException(
                "Session database " + file + (cause == null ? " failed" : " " + cause) + ": " + e.getMessage(), e);
    }

    /**
     * Whether SQLite refused because another connection held the database past the busy timeout (SQLITE_BUSY), not
     * because of the work. SQLITE_LOCKED is not that: on one connection it is a conflict among its own statements.
     */
    static boolean isLockWait(Exception e) {
        return primaryCode(e) == 5;
    }

    /** SQLite's primary result code, or -1 when the failure did not come from SQLite. */
    private static int primaryCode(Exception e) {
        if (!(e instanceof SQLiteException sqlite)) {
            return -1;
        }
        SQLiteErrorCode code = sqlite.getResultCode();
        // Extended codes carry the primary code in their low byte.
        return code == null ? sqlite.getErrorCode() & 0xff : code.code & 0xff;
    }

    private static String cause(SQLiteDatabaseSettings settings, Exception e) {
        return switch (primaryCode(e)) {
            case 5, 6 ->
                "is locked by another connection or process for longer than the busy timeout of "
                        + settings.busyTimeoutMs() + " ms";
            case 8 -> "is read-only (check the permissions of the file and its directory)";
            case 10 -> "hit an I/O error";
            case 11 -> "is corrupt";
            case 13 -> "is full (no space left on the disk, or the page limit was reached)";
            case 14 -> "cannot be opened (check that the directory exists and is writable)";
            case 26 -> "is not an SQLite database";
            default -> null;
        };
    }
}
