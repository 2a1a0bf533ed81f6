package io.github.jettysqlite.sessions.internal;

import io.github.jettysqlite.sessions.SessionDatabaseException;

/**
 * A database as an administrator's tools use it: every call runs as {@link SessionDatabase#lengthy} work, since a
 * count, a page or a purge over a large table may rightly take longer than any request's statement. See {@link
 * SessionDatabase#unhurried}.
 */
public final class UnhurriedDatabase implements SessionDatabase {
    private final SessionDatabase database;

    public UnhurriedDatabase(SessionDatabase database) {
        this.database = database;
    }

    @Override
    public <R> R write(SqlWork<R> work) throws SessionDatabaseException {
        return database.lengthy(() -> database.write(work));
    }

    @Override
    public <R> R writeStatement(SqlWork<R> work) throws SessionDatabaseException {
        return database.lengthy(() -> database.writeStatement(work));
    }

    @Override
    public <R> R read(SqlWork<R> work) throws SessionDatabaseException {
        return database.lengthy(() -> database.read(work));
    }

    @Override
    public ChangeSignals signals() {
        return database.signals();
    }

    @Override
    public <R> R changingAll(DatabaseCall<R> call) throws SessionDatabaseException {
        return database.changingAll(call);
    }

    @Override
    public <R> R lengthy(DatabaseCall<R> call) throws SessionDatabaseException {
        return database.lengthy(call);
    }

    @Override
    public SessionDatabase unhurried() {
        return this;
    }

    @Override
    public OutageWatch outages() {
        return database.outages();
    }

    @Override
    public String location() {
        return database.location();
    }

    /** Closes nothing: the database is its lease's to close. */
    @Override
    public void close() {}
}
