package io.github.jettysqlite.sessions;

import org.eclipse.jetty.session.SessionData;

/**
 * Jetty's session data, plus what the store knows of the row it was loaded from. Jetty lets the store create the
 * {@code SessionData} objects ({@code newSessionData}), so the store can keep this beside the data itself.
 */
final class TrackedSessionData extends SessionData {
    private boolean rewriteAttributes;

    TrackedSessionData(
            String id,
            String contextPath,
            String vhost,
            long created,
            long accessed,
            long lastAccessed,
            long maxInactiveMs) {
        super(id, contextPath, vhost, created, accessed, lastAccessed, maxInactiveMs);
    }

    /**
     * True when the row's attributes must be written again even if none changed: they were loaded from an older
     * layout, or unsealed while the store seals.
     */
    boolean rewriteAttributes() {
        return rewriteAttributes;
    }

    void setRewriteAttributes(boolean rewrite) {
        this.rewriteAttributes = rewrite;
    }
}
