package io.github.jettysqlite.sessions;

import io.github.jettysqlite.sessions.admin.SessionDatabaseAdmin;
import io.github.jettysqlite.sessions.internal.SessionDatabase;
import io.github.jettysqlite.sessions.internal.SessionScope;
import io.github.jettysqlite.sessions.internal.TableUse;
import io.github.jettysqlite.sessions.internal.attributes.PrincipalSource;
import io.github.jettysqlite.sessions.internal.attributes.SessionAttributes;
import io.github.jettysqlite.sessions.internal.engine.SharedDatabases;
import io.github.jettysqlite.sessions.internal.engine.StoreAdmins;
import io.github.jettysqlite.sessions.internal.engine.StoreEngine;
import io.github.jettysqlite.sessions.internal.table.SessionLifetime;
import io.github.jettysqlite.sessions.internal.table.SessionStatements;
import io.github.jettysqlite.sessions.internal.table.SessionTable;
import org.eclipse.jetty.session.SessionContext;

/**
 * What a started {@link SessionTableDataStore} works with, built together when it starts and dropped together when
 * it stops: its use of the shared database, the statements of its table, and the helpers each of its calls goes
 * through. Holding them in one object lets the store tell "started" from "stopped" by one reference, read once per
 * call, so a call racing a stop sees every part of one start or none.
 */
final class StoreParts {
    final SessionTable table;
    final SessionStatements statements;
    final SessionAttributes attributes;
    final SessionScope scope;
    final PrincipalSource principals;
    final SharedDatabases.Lease<? extends SessionDatabase> lease;
    final SessionWriter writer;
    final CachedCopyCheck cachedCopyCheck;
    final SessionDataReader rows;
    final RowPutBack putBack;
    final ExpiredSessions expired;
    final ContextSessionSummaries summaries;
    final SessionDatabaseAdmin admin;
    final CachedCopies cachedCopies;

    /** Opens the database the settings name (or shares it) and builds the parts over it; the settings are valid. */
    StoreParts(
            SessionTableSettings settings,
            SessionContext context,
            SessionTableDataStore store,
            SessionStoreStatistics statistics)
            throws Exception {
        table = settings.table();
        SessionLifetime lifetime = settings.lifetime();
        statements = new SessionStatements(table, lifetime, settings.sessionIds());
        attributes = settings.attributes();
        scope = new SessionScope(context.getCanonicalContextPath(), context.getVhost());
        principals = settings.principals();
        lease = StoreEngine.of(settings).open(settings, table, tableUse(settings.schema()));
        try {
            SessionDatabase database = lease.database();
            writer = new SessionWriter(
                    table.name(),
                    database,
                    statements.writes(),
                    scope,
                    attributes,
                    settings.isSaveInPlaceChanges(),
                    principals,
                    statistics);
            cachedCopyCheck = new CachedCopyCheck(database, statements.reads(), table.name(), scope, lifetime);
            rows = new SessionDataReader(
                    store::database,
                    statements.reads(),
                    table.name(),
                    scope,
                    lifetime,
                    attributes,
                    context,
                    store::newSessionData,
                    statistics);
            putBack = new RowPutBack(rows, scope, store);
            expired = new ExpiredSessions(store::database, statements.expiry(), scope, statistics, store);
            summaries = new ContextSessionSummaries(store::database, store::admin, statements, scope);
            admin = StoreAdmins.of(SessionDatabaseAdmin.class, database, table);
            cachedCopies = new CachedCopies(
                    cachedCopyCheck, putBack, attributes, settings.isSaveInPlaceChanges(), statistics, store::load);
        } catch (Exception | Error e) {
            // Final fields are unassigned on this path, so give the use back before it is lost with this object.
            lease.close();
            throw e;
        }
    }

    /**
     * How a store in this schema mode uses its table. The mapping lives here rather than on {@link TableUse} so that
     * the internal packages, which sit below the API, need not know {@link SchemaMode} (see PackageCyclesTest).
     */
    private static TableUse tableUse(SchemaMode mode) {
        return switch (mode) {
            case CREATE -> TableUse.SERVE;
            case VALIDATE -> TableUse.SERVE_VALIDATED;
            case NONE -> TableUse.SERVE_TRUSTED;
        };
    }

    SessionDatabase database() {
        return lease.database();
    }

    /** Gives this start's use of the database back; the parts are not used again. */
    void close() {
        lease.close();
    }
}
