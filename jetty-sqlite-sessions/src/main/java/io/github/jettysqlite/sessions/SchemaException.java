package io.github.jettysqlite.sessions;

import java.sql.SQLException;

/** The file holds a schema this version cannot use. The message reads on from the file's name. */
final class SchemaException extends SQLException {
    SchemaException(String message) {
        super(message);
    }
}
