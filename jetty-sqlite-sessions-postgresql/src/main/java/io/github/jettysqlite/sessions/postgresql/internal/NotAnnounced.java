package io.github.jettysqlite.sessions.postgresql.internal;

import java.sql.SQLException;

/** A write that committed and whose notification could not be sent on its connection; never run again. */
final class NotAnnounced extends RuntimeException {
    final transient Object result;

    NotAnnounced(SQLException cause, Object result) {
        super(cause);
        this.result = result;
    }

    @Override
    public synchronized SQLException getCause() {
        return (SQLException) super.getCause();
    }
}
