package io.github.jettysqlite.sessions.admin;

/** Sessions of one context and virtual host. Times are epoch milliseconds. */
public record ContextStats(
        String contextPath,
        String virtualHost,
        long sessions,
        long expired,
        long immortal,
        long oldestCreated,
        long newestCreated) {}
