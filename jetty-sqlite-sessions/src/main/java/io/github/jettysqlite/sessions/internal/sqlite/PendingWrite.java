package io.github.jettysqlite.sessions.internal.sqlite;

import io.github.jettysqlite.sessions.internal.CachedConnection;
import io.github.jettysqlite.sessions.internal.SqlWork;
import java.sql.SQLException;
import java.util.concurrent.locks.LockSupport;

/**
 * One caller's work and, once the writer has run it, its outcome. The outcome fields are written before the
 * volatile {@code done}, and read only after it, so the caller sees them without holding the lock.
 */
final class PendingWrite<R> {
    private final SqlWork<R> work;
    private final Thread owner;
    private final boolean singleStatement;
    private R value;
    private R staged;
    private Throwable failure;
    private volatile boolean done;

    PendingWrite(SqlWork<R> work, Thread owner, boolean singleStatement) {
        this.work = work;
        this.owner = owner;
        this.singleStatement = singleStatement;
    }

    Thread owner() {
        return owner;
    }

    boolean singleStatement() {
        return singleStatement;
    }

    boolean done() {
        return done;
    }

    void run(CachedConnection c) throws SQLException {
        staged = work.run(c);
    }

    void succeed() {
        value = staged;
        finish();
    }

    /** Records the failure, unless an outcome is already known (a committed write stays committed). */
    void fail(Throwable e) {
        if (done) {
            return;
        }
        failure = e;
        finish();
    }

    private void finish() {
        done = true;
        LockSupport.unpark(owner);
    }

    R result() throws SQLException {
        if (failure instanceof SQLException sql) {
            throw sql;
        }
        if (failure instanceof RuntimeException runtime) {
            throw runtime;
        }
        if (failure instanceof Error error) {
            throw error;
        }
        if (failure != null) {
            throw new SQLException(failure);
        }
        return value;
    }
}
