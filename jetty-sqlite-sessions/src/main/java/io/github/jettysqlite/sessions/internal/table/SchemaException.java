package io.github.jettysqlite.sessions.internal.table;

import java.sql.SQLException;

/** The database holds a schema this version cannot use. The message reads on from the database's name. */
public final class SchemaException extends SQLException {
    public SchemaException(String message) {
        super(message);
    }
}
