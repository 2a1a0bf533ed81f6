package io.github.jettysqlite.sessions;

/** What {@link CoherentSessionCache}'s check of a cached session against its row found. */
public enum CachedSessionCheck {
    /** The row is as the cached copy knows it. */
    CURRENT,
    /** Only access times, the expiry or the timeout changed elsewhere; the cached copy has taken them in. */
    METADATA_TAKEN,
    /** The attributes changed elsewhere (or the row was created anew under the same id): reload the session. */
    ATTRIBUTES_CHANGED,
    /** The row is gone: another node or request ended the session; the cached copy must go too. */
    GONE
}
