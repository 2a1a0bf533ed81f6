package io.github.jettysqlite.sessions.internal.table;

/**
 * One row of the session table as read back, with the version its attributes are at, before its attributes are deserialized, and who it records as logged in. Attribute bytes are copied
 * out of SQLite so that the connection is returned before the (comparatively slow) deserialization runs. {@code rowKey}
 * is what the key column holds when the row was found under a former form of the id (see {@code SessionIds}), null
 * when under the current one.
 */
public record StoredSession(
        String lastNode,
        long created,
        long accessed,
        long lastAccessed,
        long cookieSet,
        long lastSaved,
        long maxInactiveMs,
        long expiry,
        byte[] attributes,
        long attributesVersion,
        String rowKey,
        String principal) {
    /** The row without its attributes. */
    public RowStamp stamp() {
        return new RowStamp(attributesVersion, accessed, lastAccessed, maxInactiveMs, expiry, cookieSet, lastSaved);
    }
}
