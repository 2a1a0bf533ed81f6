package io.github.jettysqlite.sessions.admin;

/** A session's full stored row, its attributes still serialized. */
public record SessionDetail(
        SessionSummary summary,
        long lastAccessed,
        long cookieSet,
        long lastSaved,
        long maxInactiveMs,
        byte[] attributes) {}
