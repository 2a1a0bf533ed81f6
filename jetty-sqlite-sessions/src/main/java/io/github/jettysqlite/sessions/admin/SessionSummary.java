package io.github.jettysqlite.sessions.admin;

/** One session's metadata; {@code expiry} is 0 for a session that never expires. */
public record SessionSummary(
        String id,
        String contextPath,
        String virtualHost,
        String lastNode,
        long created,
        long accessed,
        long expiry,
        long attributeBytes) {
    public boolean isExpiredAt(long time) {
        return expiry > 0 && expiry <= time;
    }
}
