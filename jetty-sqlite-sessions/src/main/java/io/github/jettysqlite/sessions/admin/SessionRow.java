package io.github.jettysqlite.sessions.admin;

/**
 * One stored row exactly as the table holds it, attributes still serialized: what a migration copies from one
 * database to another without deserializing anything (so it needs none of the webapps' classes).
 *
 * @param expiresAt the Julian-day expiry, or null for a session that never expires
 * @param principal who the session is logged in as; null for nobody, or when the source table predates the column
 * @param sealedId with protected ids, the id encrypted ({@code id} then holds its keyed hash); null for a plain id
 */
record SessionRow(
        String id,
        String contextPath,
        String virtualHost,
        String lastNode,
        long created,
        long accessed,
        long lastAccessed,
        long cookieSet,
        long lastSaved,
        long maxInactiveMs,
        Double expiresAt,
        byte[] attributes,
        String principal,
        String sealedId) {}
