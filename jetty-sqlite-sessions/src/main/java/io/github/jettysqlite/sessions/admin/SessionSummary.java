package io.github.jettysqlite.sessions.admin;

/**
 * One session's metadata; {@code expiry} is 0 for a session that never expires, {@code principal} null when nobody is
 * logged in to it (or the table predates the column).
 */
public record SessionSummary(
        String id,
        String contextPath,
        String virtualHost,
        String lastNode,
        long created,
        long accessed,
        long expiry,
        long attributeBytes,
        String principal) {
    public boolean isExpiredAt(long time) {
        return expiry > 0 && expiry <= time;
    }
}
