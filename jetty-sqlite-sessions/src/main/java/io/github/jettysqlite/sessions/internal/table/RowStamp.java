package io.github.jettysqlite.sessions.internal.table;

/**
 * A session row without its attributes: the attributes' version and the metadata, what a cache compares with its
 * copy of the session before a request uses it.
 *
 * @param attributesVersion the version the row's attributes are at; a row deleted and created again starts at a new
 *     random version, so an equal version means the same row with the same attributes
 * @param expiry Jetty's expiry in epoch milliseconds, 0 for never
 */
public record RowStamp(
        long attributesVersion,
        long accessed,
        long lastAccessed,
        long maxInactiveMs,
        long expiry,
        long cookieSet,
        long lastSaved) {}
