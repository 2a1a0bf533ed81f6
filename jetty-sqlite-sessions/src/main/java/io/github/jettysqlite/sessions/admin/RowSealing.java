package io.github.jettysqlite.sessions.admin;

import io.github.jettysqlite.sessions.SessionDatabaseException;
import io.github.jettysqlite.sessions.internal.CachedConnection;
import io.github.jettysqlite.sessions.internal.SessionDatabase;
import io.github.jettysqlite.sessions.internal.attributes.AttributeCodec;
import io.github.jettysqlite.sessions.internal.attributes.AttributeSeal;
import io.github.jettysqlite.sessions.internal.attributes.SessionIds;
import io.github.jettysqlite.sessions.internal.table.SessionTable;
import java.io.InvalidObjectException;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * Seals the rows of a table in place, under the current key, while servers keep using it: rows sealed under an old
 * key, or before seals covered the table and the session's creation time, and (only when asked, since a planted row
 * is unsealed too) rows never sealed. A page of rows is
 * read in key order and written back in one short transaction; each write is conditional on the row's attributes
 * version, so a row a server changed meanwhile is left to that server, whose write sealed it already. Running it
 * again changes nothing that is current. With protected ids, rows still under the plain id (or an old key's hash) are
 * moved under the current key's hash at the same time, their id sealed beside it.
 */
public final class RowSealing {
    static final int PAGE = 200;

    private final SessionDatabase database;
    private final SessionTable table;
    private final String rowsAfter;
    private final String reseal;
    private final String sealStates;

    RowSealing(SessionDatabase database, SessionTable table) {
        this.database = database;
        this.table = table;
        String name = table.name();
        rowsAfter = "SELECT context_path, virtual_host, session_id, created_ms, " + SessionTable.VERSION_COLUMN
                + ", attributes, " + SessionTable.SEALED_ID_COLUMN + " FROM " + name
                + " WHERE (context_path, virtual_host, session_id) > (?, ?, ?)"
                + " ORDER BY context_path, virtual_host, session_id LIMIT ?";
        // The key moves only where no row holds the new one already (the first condition keeps a row whose key
        // stays from finding itself).
        reseal = "UPDATE " + name + " SET attributes = ?, " + SessionTable.VERSION_COLUMN + " = "
                + SessionTable.VERSION_COLUMN + " + 1, session_id = ?, " + SessionTable.SEALED_ID_COLUMN + " = ?"
                + " WHERE session_id = ? AND context_path = ? AND virtual_host = ?"
                + " AND created_ms = ? AND " + SessionTable.VERSION_COLUMN + " = ?"
                + " AND (session_id = ? OR NOT EXISTS (SELECT 1 FROM " + name + " other WHERE other.session_id = ?"
                + " AND other.context_path = ? AND other.virtual_host = ?))";
        sealStates = "SELECT " + table.dialect().leadingBytes("attributes", 8) + ", count(*) FROM " + name
                + " GROUP BY " + table.dialect().leadingBytes("attributes", 8);
    }

    /** What a sealing pass did. */
    public record Outcome(
            long sealed, long alreadyCurrent, long changedMeanwhile, long unverifiable, long jettyStream) {}

    Outcome seal(
            String attributeKey,
            String attributeOldKeys,
            boolean encrypt,
            boolean includeUnsealed,
            boolean protectIds,
            Progress progress)
            throws SessionDatabaseException {
        AttributeSeal keys = AttributeSeal.of(attributeKey, attributeOldKeys);
        SessionIds ids = SessionIds.of(keys, protectIds);
        // Keys this pass moved rows to: those rows come round again later in key order and are not counted twice.
        Set<String> moved = new HashSet<>();
        if (!keys.seals()) {
            throw new IllegalArgumentException("sealing needs an attributeKey (env:NAME or file:PATH)");
        }
        // Rows without a seal are sealed only when the operator says so: anyone who can write to the database could
        // have planted one, and sealing it would make it pass for the store's own.
        AttributeCodec codec = new AttributeCodec(keys, includeUnsealed, encrypt);
        long total = database.read(c -> count(c));
        long[] counts = new long[5];
        String[] last = {"", "", ""};
        long done = 0;
        progress.update(0, total);
        while (true) {
            List<Row> page = database.read(c -> page(c, last));
            if (page.isEmpty()) {
                break;
            }
            List<Row> toWrite = new ArrayList<>();
            for (Row row : page) {
                if (!moved.contains(row.contextPath + '\0' + row.virtualHost + '\0' + row.key)) {
                    classify(row, codec, ids, counts, toWrite);
                }
            }
            if (!toWrite.isEmpty()) {
                int written = database.changingAll(() -> database.write(c -> write(c, toWrite)));
                for (Row row : toWrite) {
                    moved.add(row.contextPath + '\0' + row.virtualHost + '\0' + row.newKey);
                }
                counts[0] += written;
                counts[2] += toWrite.size() - written;
            }
            Row end = page.get(page.size() - 1);
            last[0] = end.contextPath;
            last[1] = end.virtualHost;
            last[2] = end.key;
            done += page.size();
            progress.update(done, Math.max(total, done));
        }
        return new Outcome(counts[0], counts[1], counts[2], counts[3], counts[4]);
    }

    /**
     * How the table's rows are sealed, by kind: {@code unsealed}, {@code jetty-stream} (written before this layout),
     * {@code sealed-key-only <key id>} (an older seal), {@code sealed <key id>}, {@code encrypted <key id>}; key ids in hex, as the seal
     * records them (the first 4 bytes of the key's SHA-256), never the key.
     */
    Map<String, Long> states() throws SessionDatabaseException {
        return database.read(c -> {
            Map<String, Long> states = new TreeMap<>();
            try (ResultSet rows = c.prepare(sealStates).executeQuery()) {
                while (rows.next()) {
                    states.merge(stateOf(rows.getBytes(1)), rows.getLong(2), Long::sum);
                }
            }
            return states;
        });
    }

    private static String stateOf(byte[] prefix) {
        if (prefix == null || prefix.length < 4) {
            return "unknown";
        }
        if (AttributeCodec.isJettyStream(prefix)) {
            return "jetty-stream";
        }
        if (prefix[0] != 'J' || prefix[1] != 'S' || prefix[2] != 'A') {
            return "unknown";
        }
        String keyId = prefix.length >= 8 ? HexFormat.of().formatHex(prefix, 4, 8) : "?";
        return switch (prefix[3]) {
            case 1 -> "unsealed";
            case 2 -> "sealed-key-only " + keyId;
            case 3 -> "sealed " + keyId;
            case 4 -> "encrypted " + keyId;
            default -> "format " + prefix[3];
        };
    }

    private void classify(Row row, AttributeCodec codec, SessionIds ids, long[] counts, List<Row> toWrite) {
        if (AttributeCodec.isJettyStream(row.attributes)) {
            counts[4]++;
            return;
        }
        try {
            String id = ids.idOf(row.contextPath, row.virtualHost, row.key, row.sealedId);
            AttributeSeal.SessionKey key =
                    new AttributeSeal.SessionKey(table.name(), row.contextPath, row.virtualHost, id, row.created);
            AttributeCodec.Decoded decoded = codec.decode(row.attributes, key);
            row.newKey = ids.keyOf(id);
            if (decoded.current() && row.newKey.equals(row.key)) {
                counts[1]++;
            } else {
                row.sealed = codec.encode(decoded.attributes(), key);
                row.newSealedId = row.newKey.equals(row.key)
                        ? row.sealedId
                        : ids.sealedId(row.contextPath, row.virtualHost, row.newKey, id);
                toWrite.add(row);
            }
        } catch (InvalidObjectException e) {
            counts[3]++;
        }
    }

    private long count(CachedConnection c) throws SQLException {
        try (ResultSet r = c.prepare("SELECT count(*) FROM " + table.name()).executeQuery()) {
            return r.next() ? r.getLong(1) : 0;
        }
    }

    private List<Row> page(CachedConnection c, String[] after) throws SQLException {
        PreparedStatement s = c.prepare(rowsAfter);
        s.setString(1, after[0]);
        s.setString(2, after[1]);
        s.setString(3, after[2]);
        s.setInt(4, PAGE);
        List<Row> rows = new ArrayList<>();
        try (ResultSet r = s.executeQuery()) {
            while (r.next()) {
                rows.add(new Row(
                        r.getString(1),
                        r.getString(2),
                        r.getString(3),
                        r.getLong(4),
                        r.getLong(5),
                        r.getBytes(6),
                        r.getString(7)));
            }
        }
        return rows;
    }

    private int write(CachedConnection c, List<Row> rows) throws SQLException {
        PreparedStatement s = c.prepare(reseal);
        int written = 0;
        for (Row row : rows) {
            s.setBytes(1, row.sealed);
            s.setString(2, row.newKey);
            s.setString(3, row.newSealedId);
            s.setString(4, row.key);
            s.setString(5, row.contextPath);
            s.setString(6, row.virtualHost);
            s.setLong(7, row.created);
            s.setLong(8, row.version);
            s.setString(9, row.newKey);
            s.setString(10, row.newKey);
            s.setString(11, row.contextPath);
            s.setString(12, row.virtualHost);
            written += s.executeUpdate();
        }
        return written;
    }

    private static final class Row {
        final String contextPath;
        final String virtualHost;
        /** The key column as read: the id, or with protected ids its hash. */
        final String key;

        final long created;
        final long version;
        final byte[] attributes;
        final String sealedId;
        byte[] sealed;
        String newKey;
        String newSealedId;

        Row(
                String contextPath,
                String virtualHost,
                String key,
                long created,
                long version,
                byte[] attributes,
                String sealedId) {
            this.contextPath = contextPath;
            this.virtualHost = virtualHost;
            this.key = key;
            this.created = created;
            this.version = version;
            this.attributes = attributes;
            this.sealedId = sealedId;
        }
    }
}
