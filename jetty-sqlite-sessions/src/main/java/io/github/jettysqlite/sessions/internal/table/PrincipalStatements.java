package io.github.jettysqlite.sessions.internal.table;

import static io.github.jettysqlite.sessions.internal.table.SessionTable.PRINCIPAL_COLUMN;
import static io.github.jettysqlite.sessions.internal.table.SessionTable.SEALED_ID_COLUMN;

import io.github.jettysqlite.sessions.internal.CachedConnection;
import io.github.jettysqlite.sessions.internal.SessionScope;
import io.github.jettysqlite.sessions.internal.attributes.SessionIds;
import java.io.InvalidObjectException;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;

/** The query behind "the sessions of a user" in a context, by the principal column the writes keep. */
public final class PrincipalStatements {
    private final String ofPrincipal;

    private final SessionIds ids;

    PrincipalStatements(SessionTable table, SessionIds ids) {
        this.ids = ids;
        String name = table.name();
        ofPrincipal = "SELECT session_id, " + SEALED_ID_COLUMN + ", last_node, created_ms, accessed_ms, expires_at,"
                + " length(attributes) FROM " + name + " WHERE " + PRINCIPAL_COLUMN + " = ? AND context_path = ?"
                + " AND virtual_host = ? AND (expires_at IS NULL OR expires_at > ?)"
                + " ORDER BY accessed_ms DESC, session_id";
    }

    /** This context's unexpired sessions logged in as {@code principal}, most recently used first, ids opened. */
    public List<PrincipalSession> sessionsOfPrincipal(
            CachedConnection c, SessionScope scope, String principal, double now) throws SQLException {
        PreparedStatement s = c.prepare(ofPrincipal);
        s.setString(1, principal);
        s.setString(2, scope.contextPath());
        s.setString(3, scope.virtualHost());
        s.setDouble(4, now);
        List<PrincipalSession> sessions = new ArrayList<>();
        try (ResultSet r = s.executeQuery()) {
            while (r.next()) {
                try {
                    String id = ids.idOf(scope.contextPath(), scope.virtualHost(), r.getString(1), r.getString(2));
                    sessions.add(new PrincipalSession(
                            id, r.getString(3), r.getLong(4), r.getLong(5), Sql.expiry(r, 6), r.getLong(7)));
                } catch (InvalidObjectException e) {
                    // A row whose id cannot be opened cannot be ended through Jetty either; the admin tools see it.
                }
            }
        }
        return sessions;
    }

    /** One of a user's sessions in a context, as {@link #sessionsOfPrincipal} reads it. */
    public record PrincipalSession(
            String id, String lastNode, long created, long accessed, long expiry, long attributeBytes) {}
}
