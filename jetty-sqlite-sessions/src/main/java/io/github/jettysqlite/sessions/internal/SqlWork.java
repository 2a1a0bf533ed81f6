package io.github.jettysqlite.sessions.internal;

import java.sql.SQLException;

/** A unit of work run on one connection: a read on a pooled reader, or a write inside the writer's transaction. */
@FunctionalInterface
public interface SqlWork<R> {
    R run(CachedConnection connection) throws SQLException;
}
