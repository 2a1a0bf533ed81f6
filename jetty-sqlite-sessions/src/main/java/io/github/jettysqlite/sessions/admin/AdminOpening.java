package io.github.jettysqlite.sessions.admin;

import io.github.jettysqlite.sessions.SessionDatabaseException;
import io.github.jettysqlite.sessions.internal.DatabaseLocation;
import io.github.jettysqlite.sessions.internal.SessionDatabase;
import io.github.jettysqlite.sessions.internal.TableUse;
import io.github.jettysqlite.sessions.internal.engine.SharedDatabases;
import io.github.jettysqlite.sessions.internal.engine.StoreAdmins;
import io.github.jettysqlite.sessions.internal.table.SessionSchema;
import io.github.jettysqlite.sessions.internal.table.SessionTable;

/**
 * Opens a database named by a tool for {@link SessionDatabaseAdmin}'s factories, each of which asks for one use of
 * the table (inspect, maintain, serve). A wrong location or table name fails as a {@link SessionDatabaseException}
 * naming it, the one exception the tools report, rather than the parser's {@link IllegalArgumentException}. A running
 * store gets its admin another way, from {@link #handToStores}.
 */
final class AdminOpening {
    private AdminOpening() {}

    /**
     * How a running store administers the database it uses, sharing its connections (closing the admin leaves them
     * open); the store created or upgraded the table to this library's layout. Handed over through an internal
     * package because the store sits in another package and a public factory would show internal types. Called once,
     * by {@link SessionDatabaseAdmin}'s initializer.
     */
    static void handToStores() {
        StoreAdmins.install((database, table) -> new SessionDatabaseAdmin(AdminTable.of(database, table, true), null));
    }

    static SessionDatabaseAdmin open(String fileOrUrl, String user, String password, String tableName, TableUse use)
            throws SessionDatabaseException {
        DatabaseLocation location;
        try {
            location = DatabaseLocation.parse(fileOrUrl);
        } catch (IllegalArgumentException e) {
            throw new SessionDatabaseException(e.getMessage(), e);
        }
        var engine = Engines.forLocation(location);
        SessionTable table;
        try {
            table = new SessionTable(tableName, engine.dialect());
        } catch (IllegalArgumentException e) {
            throw new SessionDatabaseException(e.getMessage(), e);
        }
        SharedDatabases.Lease<? extends SessionDatabase> lease = engine.open(location, user, password, table, use);
        try {
            // Read from the table itself, not its version record, which a table kept by a DBA may lack.
            boolean hasVersion4Columns = lease.database().read(SessionSchema.of(table)::hasVersion4Columns);
            return new SessionDatabaseAdmin(AdminTable.of(lease.database(), table, hasVersion4Columns), lease);
        } catch (SessionDatabaseException | RuntimeException e) {
            // The admin that would have given the lease back was never made.
            lease.close();
            throw e;
        }
    }
}
