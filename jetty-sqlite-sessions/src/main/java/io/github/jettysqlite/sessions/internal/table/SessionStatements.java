package io.github.jettysqlite.sessions.internal.table;

import io.github.jettysqlite.sessions.internal.attributes.SessionIds;
import java.util.List;

/**
 * Every statement a store runs on the request path and in scavenging, each built once per table and prepared once
 * per connection, so that no request parses SQL. The statements come in families, each with its SQL beside the code
 * that binds it: {@link SessionReads}, {@link SessionWrites}, {@link ExpiryStatements} and {@link
 * PrincipalStatements}; all find a session's row by the same key rules ({@link RowKeys}).
 */
public final class SessionStatements {
    private final SessionReads reads;
    private final SessionWrites writes;
    private final ExpiryStatements expiry;
    private final PrincipalStatements principals;
    private final SessionIds ids;

    public SessionStatements(SessionTable table) {
        this(table, SessionLifetime.UNLIMITED, SessionIds.PLAIN);
    }

    /**
     * @param lifetime the absolute lifetime every write caps a session's expiry at
     * @param ids how ids are kept in the key column: every statement taking an id binds {@code ids.keyOf(id)}, and
     *     every statement answering ids reads them back through {@code ids}
     */
    public SessionStatements(SessionTable table, SessionLifetime lifetime, SessionIds ids) {
        this.ids = ids;
        reads = new SessionReads(table, ids);
        writes = new SessionWrites(table, lifetime, ids);
        expiry = new ExpiryStatements(table, ids);
        principals = new PrincipalStatements(table, ids);
    }

    /** Loads, existence checks and the probes of cached copies. */
    public SessionReads reads() {
        return reads;
    }

    /** Inserts, merged updates and deletes. */
    public SessionWrites writes() {
        return writes;
    }

    /** What scavenging asks and sweeps. */
    public ExpiryStatements expiry() {
        return expiry;
    }

    /** The sessions of a user. */
    public PrincipalStatements principals() {
        return principals;
    }

    /** Every value the key column may hold for this id, the current form first (see {@link SessionIds}). */
    public List<String> keysOf(String id) {
        return RowKeys.keysOf(ids, id);
    }
}
