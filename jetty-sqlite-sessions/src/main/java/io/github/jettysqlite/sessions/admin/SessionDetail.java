package io.github.jettysqlite.sessions.admin;

/**
 * A session's full stored row, its attributes still serialized; {@code sealedId} is the id encrypted when the summary's
 * id is a protected id's hash, null otherwise.
 */
public record SessionDetail(
        SessionSummary summary,
        long lastAccessed,
        long cookieSet,
        long lastSaved,
        long maxInactiveMs,
        byte[] attributes,
        String sealedId) {}
