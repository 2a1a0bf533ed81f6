package io.github.jettysqlite.sessions;

import java.sql.SQLException;

/** A unit of work run on one connection: a read on a pooled reader, or a write inside the writer's transaction. */
@FunctionalInterface
interface SqlWork<R> {
    R run(CachedConnection connection) throws SQLException;
}
