package io.github.jettysqlite.sessions.admin;

import static io.github.jettysqlite.sessions.internal.table.SessionTable.PRINCIPAL_COLUMN;
import static io.github.jettysqlite.sessions.internal.table.SessionTable.SEALED_ID_COLUMN;
import static io.github.jettysqlite.sessions.internal.table.SessionTable.VERSION_COLUMN;

import io.github.jettysqlite.sessions.internal.CachedConnection;
import io.github.jettysqlite.sessions.internal.table.SessionTable;
import io.github.jettysqlite.sessions.internal.table.Sql;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;

/**
 * Writing rows copied from another database into a session table, and the ledger that makes a second migration
 * safe. A copy overwrites only an older save of the same session. The ledger remembers each session copied (with
 * its creation time, which tells it from a later session that happens to reuse the id), so that a session absent
 * from the target but in the ledger is known to have been deleted there, and is not copied back.
 */
final class MigrationTarget {
    /** On a migration target, the sessions each migration copied there. */
    static final String LEDGER = "jetty_session_migrations";

    /** What copying one row did. */
    enum Outcome {
        /** Written: new here, or newer than the save here. */
        COPIED,
        /** This table already holds this very save. */
        UNCHANGED,
        /** This table holds a later save, which is kept. */
        KEPT_NEWER,
        /** A previous copy put it here and it has been deleted here since; it stays deleted. */
        DELETED_HERE
    }

    private static final String KEY = " WHERE session_id = ? AND context_path = ? AND virtual_host = ?";

    private final String tableName;
    private final String createLedger;
    private final String ledgerCreated;
    private final String recordInLedger;
    private final String lastSavedOf;
    private final String copyInsert;
    private final String copyUpdate;

    MigrationTarget(SessionTable table) {
        tableName = table.name();
        createLedger = "CREATE TABLE IF NOT EXISTS " + LEDGER + " (table_name TEXT NOT NULL,"
                + " context_path TEXT NOT NULL, virtual_host TEXT NOT NULL, session_id TEXT NOT NULL,"
                + " created_ms " + table.dialect().millisType
                + " NOT NULL, PRIMARY KEY (table_name, context_path, virtual_host, session_id))";
        String ledgerKey = " WHERE table_name = ? AND context_path = ? AND virtual_host = ? AND session_id = ?";
        ledgerCreated = "SELECT created_ms FROM " + LEDGER + ledgerKey;
        recordInLedger = "INSERT INTO " + LEDGER
                + " (table_name, context_path, virtual_host, session_id, created_ms) VALUES (?, ?, ?, ?, ?)"
                + " ON CONFLICT (table_name, context_path, virtual_host, session_id)"
                + " DO UPDATE SET created_ms = excluded.created_ms";
        lastSavedOf = "SELECT last_saved_ms FROM " + tableName + KEY;
        copyInsert = "INSERT INTO " + tableName + " (" + String.join(", ", SessionTable.COLUMNS) + ", "
                + PRINCIPAL_COLUMN + ", " + SEALED_ID_COLUMN + ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";
        // The version moves on, so that a request holding the row before the copy merges rather than overwrites.
        copyUpdate =
                "UPDATE " + tableName + " SET last_node = ?, created_ms = ?, accessed_ms = ?, last_accessed_ms = ?,"
                        + " cookie_set_ms = ?, last_saved_ms = ?, max_inactive_ms = ?, expires_at = ?, attributes = ?, "
                        + PRINCIPAL_COLUMN + " = ?, " + SEALED_ID_COLUMN + " = ?, " + VERSION_COLUMN + " = "
                        + VERSION_COLUMN + " + 1" + KEY
                        + " AND last_saved_ms < ?";
    }

    /** Creates the ledger when missing; run on a target before copying into it. */
    void ensureLedger(CachedConnection c) throws SQLException {
        c.execute(createLedger);
    }

    /**
     * Writes a row copied from another database unless this one holds the same or a later save of it, or held it
     * and has deleted it since. Run inside one write transaction with the rest of its batch.
     */
    Outcome copyIn(CachedConnection c, SessionRow row) throws SQLException {
        PreparedStatement saved = c.prepare(lastSavedOf);
        Sql.bindKey(saved, 1, row.contextPath(), row.virtualHost(), row.id());
        Long lastSavedHere;
        try (ResultSet r = saved.executeQuery()) {
            lastSavedHere = r.next() ? r.getLong(1) : null;
        }
        if (lastSavedHere == null) {
            if (copiedBefore(c, row)) {
                return Outcome.DELETED_HERE;
            }
            PreparedStatement insert = c.prepare(copyInsert);
            Sql.bindKey(insert, 1, row.contextPath(), row.virtualHost(), row.id());
            bindCopiedColumns(insert, 4, row);
            insert.executeUpdate();
        } else if (lastSavedHere < row.lastSaved()) {
            PreparedStatement update = c.prepare(copyUpdate);
            bindCopiedColumns(update, 1, row);
            Sql.bindKey(update, 12, row.contextPath(), row.virtualHost(), row.id());
            update.setLong(15, row.lastSaved());
            update.executeUpdate();
        } else if (lastSavedHere > row.lastSaved()) {
            return Outcome.KEPT_NEWER;
        }
        // Recorded for an unchanged row too: a target filled by a version without the ledger learns it now.
        PreparedStatement record = c.prepare(recordInLedger);
        record.setString(1, tableName);
        record.setString(2, row.contextPath());
        record.setString(3, row.virtualHost());
        record.setString(4, row.id());
        record.setLong(5, row.created());
        record.executeUpdate();
        return lastSavedHere != null && lastSavedHere == row.lastSaved() ? Outcome.UNCHANGED : Outcome.COPIED;
    }

    /** True when the ledger holds this very session (the same id, created at the same time) as copied before. */
    private boolean copiedBefore(CachedConnection c, SessionRow row) throws SQLException {
        PreparedStatement s = c.prepare(ledgerCreated);
        s.setString(1, tableName);
        s.setString(2, row.contextPath());
        s.setString(3, row.virtualHost());
        s.setString(4, row.id());
        try (ResultSet r = s.executeQuery()) {
            return r.next() && r.getLong(1) == row.created();
        }
    }

    /** Binds every column but the key, in table order, from {@code first} on. */
    private static void bindCopiedColumns(PreparedStatement s, int first, SessionRow row) throws SQLException {
        s.setString(first, row.lastNode());
        s.setLong(first + 1, row.created());
        s.setLong(first + 2, row.accessed());
        s.setLong(first + 3, row.lastAccessed());
        s.setLong(first + 4, row.cookieSet());
        s.setLong(first + 5, row.lastSaved());
        s.setLong(first + 6, row.maxInactiveMs());
        if (row.expiresAt() == null) {
            s.setNull(first + 7, Types.DOUBLE);
        } else {
            s.setDouble(first + 7, row.expiresAt());
        }
        s.setBytes(first + 8, row.attributes());
        s.setString(first + 9, row.principal());
        s.setString(first + 10, row.sealedId());
    }
}
