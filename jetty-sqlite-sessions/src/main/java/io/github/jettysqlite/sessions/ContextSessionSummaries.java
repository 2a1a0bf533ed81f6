package io.github.jettysqlite.sessions;

import io.github.jettysqlite.sessions.admin.SessionDatabaseAdmin;
import io.github.jettysqlite.sessions.admin.SessionSummary;
import io.github.jettysqlite.sessions.internal.JulianDay;
import io.github.jettysqlite.sessions.internal.SessionDatabase;
import io.github.jettysqlite.sessions.internal.SessionScope;
import io.github.jettysqlite.sessions.internal.table.SessionStatements;
import java.util.List;
import java.util.function.Supplier;

/**
 * Summaries of the store's context's sessions as their rows say (who is logged in, when each was last used), by
 * user or by id, with each id as the application knows it whatever form the key column holds it in.
 */
final class ContextSessionSummaries {
    /** The store's database and administration as they are now: both fail while the store is stopped. */
    private final Supplier<SessionDatabase> database;

    private final Supplier<SessionDatabaseAdmin> admin;
    private final SessionStatements statements;
    private final SessionScope scope;

    ContextSessionSummaries(
            Supplier<SessionDatabase> database,
            Supplier<SessionDatabaseAdmin> admin,
            SessionStatements statements,
            SessionScope scope) {
        this.database = database;
        this.admin = admin;
        this.statements = statements;
        this.scope = scope;
    }

    /** The context's unexpired sessions logged in as {@code principal}, most recently used first. */
    List<SessionSummary> ofPrincipal(String principal) throws SessionDatabaseException {
        double now = JulianDay.fromEpochMillis(System.currentTimeMillis());
        return database.get().read(c -> statements.principals().sessionsOfPrincipal(c, scope, principal, now)).stream()
                .map(s -> new SessionSummary(
                        s.id(),
                        scope.contextPath(),
                        scope.virtualHost(),
                        s.lastNode(),
                        s.created(),
                        s.accessed(),
                        s.expiry(),
                        s.attributeBytes(),
                        principal))
                .toList();
    }

    /** The context's session with this id; null when the table holds none or it has expired. */
    SessionSummary of(String id) throws SessionDatabaseException {
        // The row is under the id's key (with protected ids, its hash; or a former form): the summary names the id.
        for (String key : statements.keysOf(id)) {
            SessionSummary row = admin.get().session(scope.contextPath(), scope.virtualHost(), key);
            if (row != null) {
                return row.isExpiredAt(System.currentTimeMillis())
                        ? null
                        : new SessionSummary(
                                id,
                                row.contextPath(),
                                row.virtualHost(),
                                row.lastNode(),
                                row.created(),
                                row.accessed(),
                                row.expiry(),
                                row.attributeBytes(),
                                row.principal());
            }
        }
        return null;
    }
}
