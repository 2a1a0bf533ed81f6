package io.github.jettysqlite.sessions;

import java.nio.file.Path;
import org.sqlite.SQLiteErrorCode;
import org.sqlite.SQLiteException;

/** Turns SQLite's result codes into sentences that name the database file and say what went wrong. */
final class DatabaseErrors {
    private DatabaseErrors() {}

    static SessionDatabaseException describe(DatabaseSettings settings, Exception e) {
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

    /** For a database reached over the network, where the cause travels as a standard SQLSTATE. */
    static SessionDatabaseException describe(String location, Exception e) {
        if (e instanceof SessionDatabaseException described) {
            return described;
        }
        if (e instanceof SchemaException) {
            return new SessionDatabaseException("Session database " + location + " " + e.getMessage(), e);
        }
        String state = null;
        for (Throwable t = e; t != null && state == null; t = t.getCause()) {
            if (t instanceof java.sql.SQLException sql) {
                state = sql.getSQLState();
            }
        }
        String cause = state == null ? null : causeOfState(state);
        return new SessionDatabaseException(
                "Session database " + location + (cause == null ? " failed" : " " + cause) + ": " + e.getMessage(), e);
    }

    private static String causeOfState(String state) {
        if (state.startsWith("08")) {
            return "cannot be reached (check the host, the port and that the server is running)";
        }
        if (state.startsWith("28")) {
            return "refused the credentials";
        }
        if (state.equals("3D000")) {
            return "has no such database";
        }
        if (state.equals("42501")) {
            return "denied this user the privilege it needs";
        }
        if (state.equals("53100")) {
            return "is full (no space left on the server's disk)";
        }
        if (state.startsWith("53")) {
            return "is out of resources (connections or memory)";
        }
        if (state.startsWith("57")) {
            return "is shutting down or cancelled the statement";
        }
        return null;
    }

    private static String cause(DatabaseSettings settings, Exception e) {
        if (!(e instanceof SQLiteException sqlite)) {
            return null;
        }
        SQLiteErrorCode code = sqlite.getResultCode();
        // Extended codes carry the primary code in their low byte.
        int primary = code == null ? sqlite.getErrorCode() & 0xff : code.code & 0xff;
        return switch (primary) {
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
