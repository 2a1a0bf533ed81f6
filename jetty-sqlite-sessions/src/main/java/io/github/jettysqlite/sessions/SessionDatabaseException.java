package io.github.jettysqlite.sessions;

import java.sql.SQLException;

/**
 * A failure of the session database, described in words that name the file and the cause (full, locked, not an
 * SQLite file, read-only, newer schema), with SQLite's own error kept as the cause.
 */
public class SessionDatabaseException extends SQLException {
    public SessionDatabaseException(String message, Throwable cause) {
        super(message, cause instanceof SQLException sql ? sql.getSQLState() : null, errorCode(cause), cause);
    }

    private static int errorCode(Throwable cause) {
        return cause instanceof SQLException sql ? sql.getErrorCode() : 0;
    }
}
