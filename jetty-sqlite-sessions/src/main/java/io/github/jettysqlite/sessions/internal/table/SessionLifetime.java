package io.github.jettysqlite.sessions.internal.table;

import org.eclipse.jetty.session.SessionData;

/**
 * The absolute lifetime of sessions (the stores' {@code maxSessionLifetimeSec}): the latest expiry a session may
 * have, counted from its creation; 0 for no limit.
 */
public record SessionLifetime(long maxMs) {
    public static final SessionLifetime UNLIMITED = new SessionLifetime(0);

    /** The latest expiry a session created at {@code created} may have; 0 when there is no limit. */
    public long capOf(long created) {
        return maxMs <= 0 ? 0 : created + maxMs;
    }

    /** Jetty's expiry (0 or less: never) capped at the lifetime. */
    public long cap(long expiry, long created) {
        long cap = capOf(created);
        if (cap == 0) {
            return expiry;
        }
        return expiry <= 0 ? cap : Math.min(expiry, cap);
    }

    /** True when a session created at {@code created} has outlived the lifetime at {@code now}. */
    public boolean isOver(long created, long now) {
        long cap = capOf(created);
        return cap != 0 && cap <= now;
    }

    /** Caps the data's expiry in place, as loaded or as held by a cache. */
    public void capExpiry(SessionData data) {
        data.setExpiry(cap(data.getExpiry(), data.getCreated()));
    }
}
